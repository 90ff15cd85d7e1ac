import HTTPTypes
import NIOCore
import NIOHTTPTypes

/// Closes a client connection of the codec path (and the router's) that stays silent for
/// its idle timeout (`IdleWatch`) while it is owed no answer, so clients that open
/// connections and go silent cannot hold the gateway's sockets forever.
///
/// It sits right after Hummingbird's connection-state handler, before `LoopProxyHandler`,
/// so it sees every request head and every answer of the connection, whichever of the two
/// serves it: a request is owed from its head until its answer's end, and while any is
/// owed the connection is never idle, however long the upstream takes. Activity is a
/// request part read or a flush. A head that never completes is no activity: a client that
/// trickles one in is closed like a silent one, as on the byte-level path.
///
/// A connection that starts on the byte-level path gets one that does not watch yet:
/// `WireProxyHandler` watches its own connection (the handlers after it see no traffic
/// while it holds it) and calls `startWatching()` when it hands the connection on.
final class IdleConnectionCloser: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    private let watch: IdleWatch
    private var watching: Bool
    private var context: ChannelHandlerContext?
    /// Requests whose head was read and whose answer has not ended yet.
    private var requestsOwed = 0

    /// - Parameters:
    ///   - timeout: How long the connection may stay silent.
    ///   - watching: Whether it watches from the start (else from `startWatching()`).
    init(timeout: TimeAmount, watching: Bool) {
        watch = IdleWatch(timeout: timeout)
        self.watching = watching
    }

    /// Starts watching a connection the byte-level path just handed on.
    func startWatching() {
        watching = true
        if let context, context.channel.isActive { start(context: context) }
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if watching, context.channel.isActive { start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch.stop()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        if watching { start(context: context) }
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.stop()
        context.fireChannelInactive()
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        if case .head = unwrapInboundIn(data) { requestsOwed += 1 }
        watch.sawActivity = true
        context.fireChannelRead(data)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        // An answer with no request counted (the parser's refusal) owes nothing.
        if case .end = unwrapOutboundIn(data), requestsOwed > 0 { requestsOwed -= 1 }
        context.write(data, promise: promise)
    }

    func flush(context: ChannelHandlerContext) {
        watch.sawActivity = true
        context.flush()
    }

    private func start(context: ChannelHandlerContext) {
        watch.start(context: context) { [unowned self] in requestsOwed > 0 }
    }
}
