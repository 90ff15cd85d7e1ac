import Hummingbird
import HummingbirdTesting
import Logging
import PlatformCore
import TestSupport
import Testing

@Suite struct LiveServerTests {
    @Test func serverOnPortZeroReportsItsPortAndAnswersOverHTTP() async throws {
        let router = Router(context: PlatformRequestContext.self)
        router.addPlatformMiddleware()
        HealthRoutes<PlatformRequestContext>().addRoutes(to: router)
        let boundPort = Box<Int?>(nil)
        let app = Application(
            platformRouter: router,
            http: HTTPServerConfiguration(port: 0),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() },
            onServerRunning: { port in boundPort.set(port) }
        )
        try await app.test(.live) { client in
            #expect(boundPort.get() == client.port)
            #expect(boundPort.get() != 0)

            let health = try await client.execute(uri: "/health", method: .get, headers: [.xRequestID: "live-1"])
            #expect(health.status == .ok)
            #expect(health.headers[.xRequestID] == "live-1")
            #expect(health.text == #"{"status":"ok"}"#)

            let missing = try await client.execute(uri: "/nothing/here", method: .get)
            #expect(missing.status == .notFound)
            let error = try missing.envelope()
            #expect(error.code == "NOT_FOUND")
            #expect(error.requestId == missing.headers[.xRequestID])
        }
    }

    @Test func messageTheParserRefusesGetsTheEnvelopeAndTheConnectionCloses() async throws {
        try await liveApplication { port in
            let reply = try await RawHTTP.exchange(
                port: port, Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: a\rb\r\n\r\n".utf8))
            #expect(reply.status == 400)
            #expect(reply.envelope?["code"] as? String == "VALIDATION_FAILED")
            let id = reply.values("X-Request-Id").first
            #expect(id?.count == 32)
            #expect(reply.envelope?["requestId"] as? String == id)
            #expect(reply.values("Connection") == ["close"])
            #expect(reply.values("Content-Type").first?.hasPrefix("application/json") == true)
        }
    }

    @Test func anApplicationErrorBeforeGarbageKeepsItsOwnEnvelope() async throws {
        try await liveApplication { port in
            // An application's 400, then bytes the parser refuses, on one connection: the
            // parser's error arrives before the first answer is written, yet that answer
            // stays the application's; only the parser's own refusal is rewritten.
            let replies = try await RawHTTP.pipelined(
                port: port,
                [
                    Array("GET /invalid HTTP/1.1\r\nHost: x\r\nX-Request-Id: first\r\n\r\n".utf8),
                    Array("GET /health HTTP/1.1\r\nHost: x\r\nX-Bad: \0\r\n\r\n".utf8),
                ], count: 2)
            #expect(replies.map(\.status) == [400, 400])
            #expect(replies[0].envelope?["code"] as? String == "VALIDATION_FAILED")
            #expect(replies[0].envelope?["message"] as? String == "The request is invalid.")
            #expect(replies[0].envelope?["requestId"] as? String == "first")
            #expect(replies[1].envelope?["code"] as? String == "VALIDATION_FAILED")
        }
    }

    /// A live platform application with `/health` and `/invalid` (always 400), its port
    /// given to `body`.
    private func liveApplication(_ body: @Sendable (Int) async throws -> Void) async throws {
        let router = Router(context: PlatformRequestContext.self)
        router.addPlatformMiddleware()
        HealthRoutes<PlatformRequestContext>().addRoutes(to: router)
        router.get("invalid") { _, _ -> String in throw APIError(.validationFailed) }
        let app = Application(
            platformRouter: router, http: HTTPServerConfiguration(port: 0),
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }, onServerRunning: { _ in })
        try await app.test(.live) { client in
            try await body(client.port!)
        }
    }
}
