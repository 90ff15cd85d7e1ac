import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import PlatformCore
import Synchronization
import TestSupport

/// A stand-in for the event service's `POST /activities` and `POST /audit-logs`: it checks
/// the caller's token (auth's relay, role SERVICE), counts each `sourceId` and keeps the
/// bodies. Run it with `run(port:)` in a task; cancel the task to stop it.
final class StubEventService: Sendable {
    private struct State {
        var counts: [String: Int] = [:]
        var activities: [String] = []
        var auditEntries: [String] = []
        var callers: [CallerIdentity] = []
        var port: Int?
    }

    private let state = Mutex(State())
    private let refusal: HTTPResponse.Status?

    /// - Parameter refusal: A status to answer every delivery with instead of accepting it.
    init(refusal: HTTPResponse.Status? = nil) {
        self.refusal = refusal
    }

    /// Deliveries per `sourceId`.
    var counts: [String: Int] { state.withLock { $0.counts } }
    /// Every activity received, as JSON text.
    var activities: [String] { state.withLock { $0.activities } }
    /// Every audit entry received, as JSON text.
    var auditEntries: [String] { state.withLock { $0.auditEntries } }
    /// The identity of every accepted token.
    var callers: [CallerIdentity] { state.withLock { $0.callers } }

    /// Serves on `port` (0 for any) until the calling task is cancelled.
    func run(port: Int) async throws {
        let verifier = try await TestKeys.verifier()
        let router = Router()
        router.post("activities") { request, context in
            try await self.accept(request, verifier: verifier, member: "activities")
        }
        router.post("audit-logs") { request, context in
            try await self.accept(request, verifier: verifier, member: "entries")
        }
        var logger = Logger(label: "stub-event")
        logger.logLevel = .critical
        let application = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: port)),
            onServerRunning: { channel in self.state.withLock { $0.port = channel.localAddress?.port } },
            logger: logger
        )
        try await application.runService(gracefulShutdownSignals: [])
    }

    /// Waits (bounded) until the server listens and returns its port.
    func waitUntilListening(timeout: Duration = .seconds(10)) async throws -> Int {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let port = state.withLock({ $0.port }) { return port }
            try await Task.sleep(for: .milliseconds(20))
        }
        throw TestSupportError("the stub event service did not start")
    }

    private func accept(_ request: Request, verifier: TokenVerifier, member: String) async throws -> Response {
        guard let header = request.headers[.authorization], let token = BearerToken.parse(header),
            let caller = try? await verifier.verify(token)
        else { return Response(status: .unauthorized) }
        state.withLock { $0.callers.append(caller) }
        if let refusal { return Response(status: refusal) }
        let body = try await request.body.collect(upTo: 1 << 20)
        guard let object = try JSONSerialization.jsonObject(with: Data(body.readableBytesView)) as? [String: Any],
            let items = object[member] as? [[String: Any]]
        else { return Response(status: .badRequest) }
        var results: [[String: Any]] = []
        for item in items {
            let sourceId = item["sourceId"] as? String ?? ""
            let text = String(decoding: try JSONSerialization.data(withJSONObject: item), as: UTF8.self)
            let duplicate = state.withLock { state in
                state.counts[sourceId, default: 0] += 1
                if member == "activities" { state.activities.append(text) } else { state.auditEntries.append(text) }
                return state.counts[sourceId]! > 1
            }
            results.append(["id": String(repeating: "0", count: 24), "sourceId": sourceId, "duplicate": duplicate])
        }
        let answer: [String: Any] = [
            "recorded": results.count { !($0["duplicate"] as? Bool ?? false) },
            "duplicates": results.count { $0["duplicate"] as? Bool ?? false }, "items": results,
        ]
        return Response(
            status: .created, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: answer))))
    }
}
