import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1

/// An HTTP client for storms: its own connection pool, wide enough that every request of
/// the storm is in flight at once (the shared client keeps 8 connections per host).
/// Shut it down with `shutdown()`.
struct StormClient: Sendable {
    /// One answer, or the transport failure that replaced it.
    struct Reply: Sendable {
        /// The HTTP status; `nil` when no answer arrived.
        var status: Int?
        /// The envelope's `error.code`, when there is one.
        var errorCode: String?
        /// The body's `status` field (a claim's), when there is one.
        var claimStatus: String?
        /// How long the exchange took.
        var elapsed: Duration
        /// The transport error, when no answer arrived.
        var failure: String?
        /// The body as text.
        var text: String = ""
    }

    let baseURL: String
    private let client: HTTPClient

    init(baseURL: String, connections: Int) {
        var configuration = HTTPClient.Configuration(
            connectionPool: .init(idleTimeout: .seconds(30), concurrentHTTP1ConnectionsPerHostSoftLimit: connections))
        configuration.httpVersion = .http1Only
        client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        self.baseURL = baseURL
    }

    /// Sends `method path` with a bearer token and an optional JSON object; never throws
    /// for a failed exchange.
    /// - Parameter server: Another base URL than `baseURL` (e.g. a service's own port).
    func call(
        _ method: HTTPMethod, _ path: String, token: String?, json: [String: String]? = nil,
        on server: String? = nil, timeout: TimeAmount = .seconds(30)
    ) async -> Reply {
        var request = HTTPClientRequest(url: (server ?? baseURL) + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json, let data = try? JSONSerialization.data(withJSONObject: json) {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: data))
        }
        let start = ContinuousClock.now
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            let object =
                (try? JSONSerialization.jsonObject(with: Data(body.readableBytesView))) as? [String: Any] ?? [:]
            return Reply(
                status: Int(response.status.code),
                errorCode: (object["error"] as? [String: Any])?["code"] as? String,
                claimStatus: object["status"] as? String, elapsed: ContinuousClock.now - start, failure: nil,
                text: String(decoding: body.readableBytesView, as: UTF8.self))
        } catch {
            return Reply(
                status: nil, errorCode: nil, claimStatus: nil, elapsed: ContinuousClock.now - start,
                failure: String(describing: error))
        }
    }

    /// Runs `body` with a new client and shuts it down afterwards, also when `body` throws.
    static func with<Result>(
        baseURL: String, connections: Int, _ body: (StormClient) async throws -> Result
    ) async throws -> Result {
        let client = StormClient(baseURL: baseURL, connections: connections)
        do {
            let result = try await body(client)
            await client.shutdown()
            return result
        } catch {
            await client.shutdown()
            throw error
        }
    }

    /// Closes the pool's connections.
    func shutdown() async {
        try? await client.shutdown()
    }
}
