import AsyncHTTPClient
import Foundation
import Logging
import MongoKit
import NIOCore
import NIOHTTP1

/// One HTTP answer: its status (0 when none came: refused, reset or timed out), body, and
/// how long it took from sending to the last byte.
struct Reply: Sendable {
    var status: Int
    var body: Data
    var latency: Duration

    /// The body as a JSON object (empty when it is not one).
    var object: [String: Any] {
        (try? JSONSerialization.jsonObject(with: body)) as? [String: Any] ?? [:]
    }

    /// The envelope's error code, if the body is an error envelope.
    var errorCode: String? {
        (object["error"] as? [String: Any])?["code"] as? String
    }
}

/// The benchmark's HTTP client: a connection pool sized for the scenario's concurrency.
struct BenchHTTP: Sendable {
    let client: HTTPClient
    let timeout: TimeAmount

    /// - Parameters:
    ///   - connections: Connections kept per host (the scenario's concurrency).
    ///   - timeout: How long one request may take before it counts as unanswered.
    init(connections: Int, timeout: TimeAmount = .seconds(120)) {
        var configuration = HTTPClient.Configuration(
            timeout: .init(connect: .seconds(5), read: timeout),
            connectionPool: .init(idleTimeout: .seconds(120), concurrentHTTP1ConnectionsPerHostSoftLimit: connections))
        configuration.httpVersion = .http1Only
        configuration.tracing.tracer = nil
        client = HTTPClient(eventLoopGroupProvider: .singleton, configuration: configuration)
        self.timeout = timeout
    }

    /// Sends one request; never throws (a transport failure is status 0).
    func send(_ method: HTTPMethod, _ url: String, token: String? = nil, json: Data? = nil) async -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: json))
        }
        let clock = ContinuousClock()
        let start = clock.now
        do {
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 24)
            return Reply(
                status: Int(response.status.code), body: Data(body.readableBytesView), latency: clock.now - start)
        } catch {
            return Reply(status: 0, body: Data(), latency: clock.now - start)
        }
    }

    /// Stops the client.
    func shutdown() async {
        try? await client.shutdown()
    }

    /// A JSON body.
    static func json(_ object: Any) -> Data {
        (try? JSONSerialization.data(withJSONObject: object)) ?? Data()
    }
}

/// Prints `value` as one line of JSON on standard output (the scenario's result).
func printResult(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.sortedKeys]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// A progress line on standard error (standard output carries only the result).
func note(_ message: String) {
    FileHandle.standardError.write(Data("  \(message)\n".utf8))
}

/// Runs `body` with a MongoDB pool on `mongoURI` and an HTTP client of `connections`, and
/// closes both afterwards, whether `body` returned or threw.
func withBenchmarkClients<Result>(
    mongoURI: String, socketTimeout: Duration, connections: Int, timeout: TimeAmount = .seconds(120),
    _ body: (MongoClientPool, BenchHTTP) async throws -> Result
) async throws -> Result {
    let pool = try MongoClientPool(
        configuration: MongoClientConfiguration(uri: mongoURI, maxPoolSize: 4, socketTimeout: socketTimeout),
        logger: Logger(label: "benchmark") { _ in SwiftLogNoOpLogHandler() })
    let http = BenchHTTP(connections: connections, timeout: timeout)
    do {
        let result = try await body(pool, http)
        await http.shutdown()
        await pool.close()
        return result
    } catch {
        await http.shutdown()
        await pool.close()
        throw error
    }
}
