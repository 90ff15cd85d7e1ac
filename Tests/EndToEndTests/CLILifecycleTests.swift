import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The `event-reward` executable as an operator runs it: configuration from the
/// environment, servers on the ports it is given, readiness against MongoDB, and a
/// graceful exit 0 on SIGTERM.
@Suite(.serialized) struct CLILifecycleTests {
    private func get(_ url: String) async throws -> (status: Int, body: String) {
        let response = try await HTTPClient.shared.execute(HTTPClientRequest(url: url), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 1 << 20)
        return (Int(response.status.code), String(buffer: body))
    }

    @Test func allRunsTheThreeServicesAndStopsGracefullyOnSIGTERM() async throws {
        let uri = try await MongoTestEndpoint.uri()
        let platform = try PlatformProcess(
            ["all"],
            environment: [
                "MONGODB_URI": uri, "GATEWAY_PORT": "0", "AUTH_PORT": "0", "EVENT_PORT": "0",
                "AUTH_DATABASE": uniqueDatabaseName("auth"), "EVENT_DATABASE": uniqueDatabaseName("event"),
                "BCRYPT_COST": "4",
            ])
        let ports = try await platform.ports(of: ["gateway", "auth", "event"])
        for service in ["gateway", "auth", "event"] {
            let health = try await get("http://127.0.0.1:\(ports[service]!)/health")
            #expect(health.status == 200, "\(service) /health")
        }
        for service in ["auth", "event"] {
            let ready = try await get("http://127.0.0.1:\(ports[service]!)/health/ready")
            #expect(ready.status == 200, "\(service) /health/ready: \(ready.body)")
            #expect(ready.body.contains("mongodb"))
        }
        #expect(try await platform.stop() == 0)
    }

    @Test func aServiceWhoseDatabaseIsDownIsAliveButNotReady() async throws {
        let deadPort = try unusedLoopbackPort()
        let auth = try PlatformProcess(
            ["auth", "--port", "0"],
            environment: [
                "MONGODB_URI": "mongodb://127.0.0.1:\(deadPort)/", "MONGODB_SERVER_SELECTION_TIMEOUT_MS": "300",
                "BCRYPT_COST": "4",
            ])
        let port = try #require(try await auth.ports(of: ["auth"])["auth"])
        #expect(try await get("http://127.0.0.1:\(port)/health").status == 200)
        let ready = try await get("http://127.0.0.1:\(port)/health/ready")
        #expect(ready.status == 503)
        #expect(ready.body.contains("SERVICE_UNAVAILABLE"))
        #expect(try await auth.stop() == 0)
    }

    @Test func aConfigurationErrorIsOneLineNamingTheVariableAndExitCode78() async throws {
        let gateway = try PlatformProcess(["gateway"], environment: ["GATEWAY_PORT": "not-a-port"])
        #expect(try await gateway.waitForExit() == 78)
        let message = gateway.standardError.trimmingCharacters(in: .whitespacesAndNewlines)
        #expect(message.contains("GATEWAY_PORT"))
        #expect(!message.contains("\n"))
    }
}
