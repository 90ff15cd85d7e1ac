import NIOCore

/// Closes a client connection on which nothing has been read or written for its idle
/// timeout (`IdleWatch`), so clients that open connections and go silent cannot hold the
/// gateway's sockets forever.
///
/// First in the pipeline, it sees the bytes of the codec path and the router, marking
/// activity once per read batch and once per flush. A connection starts on the byte-level
/// path without it: `WireProxyHandler` watches its own connection (a handler in front of
/// it would cost every request two more hops through the pipeline) and puts one of these
/// in its place when it hands the connection on. The gateway is silent towards a client
/// it owes an answer for at most the upstream connect and read timeouts, which the
/// configuration keeps shorter than the idle timeout; a client that stops reading a
/// streamed answer stops the writes too, and is closed like an idle one.
final class IdleConnectionCloser: ChannelDuplexHandler, RemovableChannelHandler {
    // Passed on untouched, never unwrapped (writes may be `IOData` as well).
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer

    private let watch: IdleWatch

    /// - Parameter timeout: How long the connection may stay silent.
    init(timeout: TimeAmount) {
        watch = IdleWatch(timeout: timeout)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        if context.channel.isActive { watch.start(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        watch.stop()
    }

    func channelActive(context: ChannelHandlerContext) {
        watch.start(context: context)
        context.fireChannelActive()
    }

    func channelInactive(context: ChannelHandlerContext) {
        watch.stop()
        context.fireChannelInactive()
    }

    func channelReadComplete(context: ChannelHandlerContext) {
        watch.sawActivity = true
        context.fireChannelReadComplete()
    }

    func flush(context: ChannelHandlerContext) {
        watch.sawActivity = true
        context.flush()
    }
}
