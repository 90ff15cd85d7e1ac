import Hummingbird
import HummingbirdTesting
import MongoKit
import PlatformCore
import TestSupport
import Testing

private struct Unreachable: Error {}

private func healthRouter(_ checks: [ReadinessCheck]) -> Router<PlatformRequestContext> {
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    HealthRoutes(checks: checks).addRoutes(to: router)
    return router
}

/// A pool whose MongoDB cannot be reached: a loopback port nobody listens on.
private func unreachablePool() throws -> MongoClientPool {
    let port = try unusedLoopbackPort()
    return try MongoClientPool(
        configuration: MongoClientConfiguration(
            uri: "mongodb://127.0.0.1:\(port)",
            maxPoolSize: 2,
            serverSelectionTimeout: .milliseconds(300),
            connectTimeout: .milliseconds(300)
        )
    )
}

@Suite struct HealthTests {
    @Test func livenessIsOK() async throws {
        try await testApplication(healthRouter([])).test(.router) { client in
            let response = try await client.execute(uri: "/health", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"status":"ok"}"#)
            #expect(response.headers[.xRequestID] != nil)
        }
    }

    @Test func readyWithPassingChecksReportsEachCheck() async throws {
        let checks = [ReadinessCheck(name: "mongodb") {}, ReadinessCheck(name: "jwks") {}]
        try await testApplication(healthRouter(checks)).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"checks":{"jwks":"up","mongodb":"up"},"status":"ready"}"#)
        }
    }

    @Test func failingAndSlowChecksMakeReadinessUnavailable() async throws {
        let checks = [
            ReadinessCheck(name: "fine") {},
            ReadinessCheck(name: "broken") { throw Unreachable() },
            ReadinessCheck(name: "slow", timeout: .milliseconds(50)) { try await Task.sleep(for: .seconds(60)) },
        ]
        try await testApplication(healthRouter(checks)).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            let error = try response.envelope()
            #expect(error.code == "SERVICE_UNAVAILABLE")
            #expect(error.details == ["checks": ["fine": "up", "broken": "down", "slow": "timeout"]])
            #expect(error.requestId == response.headers[.xRequestID])
        }
    }

    @Test func readinessIsUnavailableWhenMongoDBIsUnreachable() async throws {
        let pool = try unreachablePool()
        try await testApplication(healthRouter([.mongoDB(pool)])).test(.router) { client in
            let ready = try await client.execute(uri: "/health/ready", method: .get)
            #expect(ready.status == .serviceUnavailable)
            let error = try ready.envelope()
            #expect(error.code == "SERVICE_UNAVAILABLE")
            #expect(error.details == ["checks": ["mongodb": "down"]])

            let live = try await client.execute(uri: "/health", method: .get)
            #expect(live.status == .ok)
        }
        await pool.close()
    }

    @Test func readyWithNoChecksIsReady() async throws {
        try await testApplication(healthRouter([])).test(.router) { client in
            let response = try await client.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            #expect(response.text == #"{"checks":{},"status":"ready"}"#)
        }
    }
}
