import NIOCore
import NIOHTTP1

/// What an upstream connection tells the exchange it is serving.
protocol UpstreamResponseReceiver: AnyObject {
    /// A response part arrived.
    func upstreamReceived(_ part: HTTPClientResponsePart)
    /// The connection closed (or failed) before the exchange let go of it.
    func upstreamClosed()
}

/// One keep-alive HTTP/1.1 connection to an upstream, the last handler of its channel.
/// Lives on its pool's event loop; every method must be called there.
final class UpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler, PooledUpstreamConnection {
    typealias InboundIn = HTTPClientResponsePart
    typealias OutboundIn = HTTPClientRequestPart
    typealias OutboundOut = HTTPClientRequestPart

    private var context: ChannelHandlerContext?
    private var reads = PausableReads()
    /// Set by the pool; cleared when the connection closes.
    var pool: UpstreamConnectionPool<UpstreamConnection>?
    /// The exchange using it, if any: gets every response part and the closure.
    var receiver: (any UpstreamResponseReceiver)?

    var isActive: Bool { context?.channel.isActive ?? false }

    /// The HTTP/1 client codecs. Outbound validation off: the headers were validated when
    /// the client's request was decoded, and the gateway adds only well-formed ones.
    static func addCodecs(to pipeline: ChannelPipeline.SynchronousOperations) throws {
        try pipeline.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
    }

    func prepareForReuse() {
        receiver = nil
        setReadingPaused(false)
    }

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Breaks the handler ↔ context cycle once the channel is gone.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    /// Holds reads while paused (a slow client of a streamed answer).
    func read(context: ChannelHandlerContext) {
        if reads.passesOnRead() { context.read() }
    }

    /// Pauses or resumes reading the upstream's answer.
    func setReadingPaused(_ paused: Bool) {
        if reads.setPaused(paused) { context?.read() }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        receiver?.upstreamReceived(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.connectionClosed(self)
        let receiver = self.receiver
        self.receiver = nil
        receiver?.upstreamClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A malformed response or a reset: the connection is done (channelInactive follows).
        context.close(promise: nil)
    }

    /// Writes one request part (flushed by `flush()`).
    func write(_ part: HTTPClientRequestPart) {
        context?.write(wrapOutboundOut(part), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func close() {
        context?.close(promise: nil)
    }
}
