import NIOCore

/// What a wire upstream connection tells the exchange it is serving.
protocol WireUpstreamReceiver: AnyObject {
    /// Bytes of the answer arrived.
    func upstreamReceived(_ bytes: ByteBuffer)
    /// The connection closed (or failed) before the exchange let go of it.
    func upstreamClosed()
}

/// One keep-alive connection to an upstream that carries bytes only: the wire path writes
/// the request as bytes and reads the answer's framing itself. The last (and only)
/// handler of its channel. Lives on its pool's event loop; every method must be called there.
final class WireUpstreamConnection: ChannelDuplexHandler, RemovableChannelHandler, PooledUpstreamConnection {
    typealias InboundIn = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    private var context: ChannelHandlerContext?
    private var reads = PausableReads()
    /// Set by the pool; cleared when the connection closes (strong: a weak reference would
    /// make every retain of the pool take the runtime's slow path).
    var pool: UpstreamConnectionPool<WireUpstreamConnection>?
    /// The exchange using it, if any: gets every byte and the closure. Strong, for the same
    /// reason; cleared whenever the exchange lets go (`prepareForReuse`, its end, or the
    /// connection closing), which breaks the cycle with the client's handler.
    var receiver: (any WireUpstreamReceiver)?

    var isActive: Bool { context?.channel.isActive ?? false }

    static func addCodecs(to pipeline: ChannelPipeline.SynchronousOperations) throws {}

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    /// Breaks the handler ↔ context cycle once the channel is gone.
    func handlerRemoved(context: ChannelHandlerContext) {
        self.context = nil
    }

    func prepareForReuse() {
        receiver = nil
        setReadingPaused(false)
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
        guard let receiver else {
            // Bytes nobody asked for (after a complete answer): the connection cannot be
            // trusted with another request.
            return context.close(promise: nil)
        }
        receiver.upstreamReceived(unwrapInboundIn(data))
    }

    func channelInactive(context: ChannelHandlerContext) {
        pool?.connectionClosed(self)
        let receiver = self.receiver
        self.receiver = nil
        receiver?.upstreamClosed()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        // A reset: the connection is done (channelInactive follows).
        context.close(promise: nil)
    }

    /// Writes bytes (flushed by `flush()`).
    func write(_ bytes: ByteBuffer) {
        context?.write(wrapOutboundOut(bytes), promise: nil)
    }

    func flush() {
        context?.flush()
    }

    func close() {
        context?.close(promise: nil)
    }
}
