import Hummingbird
import HummingbirdTesting
import Logging
import PlatformCore
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
}
