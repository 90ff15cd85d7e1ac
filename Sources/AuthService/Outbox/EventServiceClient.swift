import AsyncHTTPClient
import NIOCore
import NIOHTTP1
import PlatformCore
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The relay's HTTP client for the event service: posts JSON with the relay's own
/// short-lived SERVICE token (subject `CallerIdentity.authOutboxRelaySubject`), minted from
/// auth's signing key and reused until shortly before it expires.
final class EventServiceClient: Sendable {
    private let baseURL: String
    private let tokens: AccessTokenIssuer
    private let timeout: Duration
    private let cachedToken = Mutex<AccessTokenIssuer.Issued?>(nil)

    init(baseURL: String, tokens: AccessTokenIssuer, timeout: Duration) {
        var baseURL = baseURL
        while baseURL.hasSuffix("/") { baseURL.removeLast() }
        self.baseURL = baseURL
        self.tokens = tokens
        self.timeout = timeout
    }

    /// Posts `body` as JSON to `path`; returns the response status.
    /// - Throws: When no response arrives (connection refused, timeout, …).
    func post(_ path: String, body: some Encodable & Sendable, requestID: String) async throws -> Int {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = .POST
        request.headers.add(name: "Content-Type", value: "application/json")
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "Authorization", value: "Bearer " + (try await token()))
        request.headers.add(name: "X-Request-Id", value: requestID)
        request.body = .bytes(ByteBuffer(bytes: try JSONEncoder.outbox.encode(body)))
        let response = try await Self.client.execute(request, timeout: .milliseconds(Int64(timeout.seconds * 1000)))
        // Drain (bounded) so the connection can be reused; the content is not needed.
        _ = try? await response.body.collect(upTo: 1 << 20)
        return Int(response.status.code)
    }

    /// The process's client for the relay: like `HTTPClient.shared`, never shut down, but a
    /// refused connection fails at once instead of being retried until the request timeout
    /// — while the event service is down, a batch goes back to its backoff right away
    /// rather than being held for the whole timeout.
    private static let client: HTTPClient = {
        var configuration = HTTPClient.Configuration()
        configuration.connectionPool.retryConnectionEstablishment = false
        configuration.timeout.connect = .seconds(2)
        configuration.tracing.tracer = nil
        return HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
    }()

    private func token() async throws -> String {
        let now = Date()
        if let cached = cachedToken.withLock({ $0 }),
            cached.expiresAt.timeIntervalSince(now) > Double(tokens.serviceTokenLifetime) / 2
        {
            return cached.token
        }
        let issued = try await tokens.serviceToken(subject: CallerIdentity.authOutboxRelaySubject, now: now)
        cachedToken.withLock { $0 = issued }
        return issued.token
    }
}
