import NIOCore
import NIOPosix

/// The least any proxy built on SwiftNIO can do: a TCP relay that pairs each client
/// connection with its own upstream connection and copies bytes both ways as they come,
/// with no HTTP parsing, no routing and no token. What it costs per request is the floor
/// under every NIO proxy, the gateway's included (a row of `benchmarks/gateway`).
enum ByteRelay {
    /// Serves on 127.0.0.1:`port` until the process ends.
    static func run(port: Int, upstreamHost: String, upstreamPort: Int) async throws {
        let group = MultiThreadedEventLoopGroup.singleton
        let server = try await ServerBootstrap(group: group)
            .serverChannelOption(.backlog, value: 256)
            .serverChannelOption(.socketOption(.so_reuseaddr), value: 1)
            .childChannelOption(.socketOption(.tcp_nodelay), value: 1)
            .childChannelOption(.autoRead, value: false)
            .childChannelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try channel.pipeline.syncOperations.addHandler(
                        ClientSide(upstreamHost: upstreamHost, upstreamPort: upstreamPort))
                }
            }
            .bind(host: "127.0.0.1", port: port).get()
        try await server.closeFuture.get()
    }

    /// Copies what one channel reads to its peer, flushing once per read burst.
    class Pump: ChannelInboundHandler {
        typealias InboundIn = ByteBuffer
        typealias OutboundOut = ByteBuffer
        var peer: (any Channel)?

        /// Declared here so that `ClientSide` can override it (a subclass's own method would
        /// not be the protocol's witness).
        func channelActive(context: ChannelHandlerContext) {
            context.fireChannelActive()
        }

        func channelRead(context: ChannelHandlerContext, data: NIOAny) {
            peer?.write(unwrapInboundIn(data), promise: nil)
        }

        func channelReadComplete(context: ChannelHandlerContext) {
            peer?.flush()
        }

        func channelInactive(context: ChannelHandlerContext) {
            peer?.close(promise: nil)
            peer = nil
        }

        func errorCaught(context: ChannelHandlerContext, error: any Error) {
            context.close(promise: nil)
        }
    }

    /// The client's side: connects its upstream on the same event loop, then starts reading
    /// and pumps like the upstream's side.
    final class ClientSide: Pump {
        let upstreamHost: String
        let upstreamPort: Int

        init(upstreamHost: String, upstreamPort: Int) {
            self.upstreamHost = upstreamHost
            self.upstreamPort = upstreamPort
        }

        override func channelActive(context: ChannelHandlerContext) {
            let client = context.channel
            let loop = context.eventLoop
            ClientBootstrap(group: loop)
                .channelOption(.socketOption(.tcp_nodelay), value: 1)
                .channelInitializer { upstream in
                    upstream.eventLoop.makeCompletedFuture {
                        let back = Pump()
                        back.peer = client
                        try upstream.pipeline.syncOperations.addHandler(back)
                    }
                }
                .connect(host: upstreamHost, port: upstreamPort)
                .assumeIsolated()
                .whenComplete { result in
                    switch result {
                    case .success(let upstream):
                        self.peer = upstream
                        try? client.syncOptions?.setOption(.autoRead, value: true)
                    case .failure:
                        client.close(promise: nil)
                    }
                }
            context.fireChannelActive()
        }
    }
}
