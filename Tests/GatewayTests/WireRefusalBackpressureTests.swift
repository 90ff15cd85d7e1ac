import Foundation
import Logging
import NIOCore
import NIOEmbedded
import PlatformCore
import Prometheus
import TestSupport
import Testing

@testable import Gateway

/// Requests refused on the byte-level path are answered at once, with no upstream to slow
/// them down: a client that sends them without reading the answers must not make the
/// gateway buffer answers without bound. While the connection is not writable the handler
/// answers no more and reads no more; once it is, it goes on.
@Suite struct WireRefusalBackpressureTests {
    /// Counts the reads asked of the channel (the handler holds them back by not passing
    /// them on).
    final class ReadCounter: ChannelOutboundHandler {
        typealias OutboundIn = Any
        var reads = 0

        func read(context: ChannelHandlerContext) {
            reads += 1
            context.read()
        }
    }

    @Test func refusalsWaitWhileTheClientTakesNoAnswers() throws {
        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        let reads = ReadCounter()
        try channel.pipeline.syncOperations.addHandler(reads)
        try channel.pipeline.syncOperations.addHandler(try Self.handler(on: channel.embeddedEventLoop))
        try channel.connect(to: SocketAddress(ipAddress: "127.0.0.1", port: 1)).wait()

        // Three requests refused for want of a token, in one read, to a client whose
        // connection takes no more.
        channel.isWritable = false
        let refused = "GET /claims HTTP/1.1\r\nHost: g\r\n\r\n"
        try channel.writeInbound(ByteBuffer(string: refused + refused + refused))
        channel.pipeline.fireChannelReadComplete()
        #expect(try Self.statuses(channel) == [401])  // the first, then it waits
        let readsWhileBlocked = reads.reads

        channel.isWritable = true
        channel.pipeline.fireChannelWritabilityChanged()
        #expect(try Self.statuses(channel) == [401, 401])
        #expect(reads.reads == readsWhileBlocked + 1)  // the read it held back
    }

    /// A handler for the gateway's bundled contract with no upstream it can reach.
    static func handler(on eventLoop: any EventLoop) throws -> WireProxyHandler {
        let registry = PrometheusCollectorRegistry()
        let upstreams = LoopUpstreams(
            targets: [:], connectTimeout: .seconds(1), readTimeout: .seconds(1), connectionsPerLoop: 1)
        let proxy = LoopProxy(
            planner: LoopProxyPlanner(
                routes: try GatewayContract.bundled().gatewayRoutes,
                verifier: TokenVerifier(keys: VerifyingKeys(), cache: VerifiedTokenCache()),
                targets: ["event": try #require(UpstreamTarget(baseURL: "http://127.0.0.1:9"))],
                maximumBodySize: 1_024),
            upstreams: upstreams,
            metrics: HTTPRequestMetrics(registry: registry, namespace: "gateway"),
            proxiedRequests: registry.makeCounter(descriptor: LoopProxy.proxiedRequestsMetric),
            usesWirePath: true,
            wireRequests: registry.makeCounter(descriptor: LoopProxy.wireRequestsMetric),
            wireRefusals: registry.makeCounter(descriptor: LoopProxy.wireRefusalsMetric),
            readTimeout: .seconds(1), deadline: .seconds(2), idleTimeout: nil,
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() })
        return WireProxyHandler(proxy: proxy, pools: try #require(upstreams.pools(for: eventLoop)))
    }

    /// The statuses of the answers written so far.
    static func statuses(_ channel: EmbeddedChannel) throws -> [Int] {
        var written: [UInt8] = []
        while let buffer = try channel.readOutbound(as: ByteBuffer.self) { written += buffer.readableBytesView }
        return String(decoding: written, as: UTF8.self).components(separatedBy: "HTTP/1.1 ").dropFirst()
            .compactMap { Int($0.prefix(3)) }
    }
}
