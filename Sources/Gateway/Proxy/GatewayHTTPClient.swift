public import AsyncHTTPClient
import NIOCore
public import PlatformCore
public import ServiceLifecycle

/// The HTTP client the gateway forwards with.
public enum GatewayHTTPClient {
    /// Upstream connections kept per host: enough for the gateway's concurrency (the
    /// client's default of 8 caps throughput under load).
    public static let connectionsPerHost = 64

    /// A client for `configuration`: its connect and read timeouts, a pool of 64
    /// connections per upstream, no redirects followed, no decompression, HTTP/1.1, and no
    /// connection retry (a refused upstream fails the request at once with 502, instead of
    /// being retried until the connect timeout). The caller shuts it down, e.g. by running
    /// `HTTPClientService`.
    /// - Parameter configuration: The gateway's configuration.
    /// - Returns: A new client on the shared event loop group.
    public static func make(configuration: GatewayConfiguration) -> HTTPClient {
        var clientConfiguration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(
                connect: timeAmount(configuration.connectTimeout), read: timeAmount(configuration.readTimeout)),
            connectionPool: .init(
                idleTimeout: .seconds(60), concurrentHTTP1ConnectionsPerHostSoftLimit: connectionsPerHost),
            decompression: .disabled
        )
        clientConfiguration.connectionPool.retryConnectionEstablishment = false
        clientConfiguration.httpVersion = .http1Only
        // No span per upstream request (the gateway bootstraps no tracer; this skips the
        // tracing wrapper AHC would otherwise run around every request).
        clientConfiguration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: clientConfiguration)
    }

    /// The longest one upstream exchange may take: the connect and read timeouts normally
    /// end it first; this bounds an upstream that trickles its answer.
    static func exchangeDeadline(_ configuration: GatewayConfiguration) -> Duration {
        configuration.connectTimeout + configuration.readTimeout + .seconds(60)
    }

    static func timeAmount(_ duration: Duration) -> TimeAmount {
        let (seconds, attoseconds) = duration.components
        return .nanoseconds(seconds * 1_000_000_000 + attoseconds / 1_000_000_000)
    }
}

/// Runs an `HTTPClient` as a service: it shuts the client down at graceful shutdown (or
/// cancellation). Put it before its users in the service group, so it stops after them.
public struct HTTPClientService: Service {
    /// The client it owns.
    public let client: HTTPClient

    /// Wraps `client`; the service now owns its shutdown.
    public init(client: HTTPClient) {
        self.client = client
    }

    /// Waits for graceful shutdown, then shuts the client down.
    public func run() async throws {
        try? await gracefulShutdown()
        try await client.shutdown()
    }
}
