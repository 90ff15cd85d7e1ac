import Foundation
import NIOHTTP1
import Synchronization

/// The three services as separate `event-reward` processes on loopback ports picked in
/// advance (so a service can be stopped and started again on the same port), sharing one
/// MongoDB with a unique database per service.
///
/// The test that starts a cluster stops it with `stop()`; a forgotten process is killed
/// when its `PlatformProcess` is released.
public final class PlatformCluster: Sendable {
    /// A service of the platform, as `event-reward` names it.
    public enum Service: String, Sendable, CaseIterable {
        case auth, event, gateway
    }

    /// The environment every process gets (ports, URLs, databases, test settings).
    public let environment: [String: String]
    /// Each service's port.
    public let ports: [Service: Int]
    /// The gateway's client.
    public let gateway: PlatformClient
    /// The bootstrapped ADMIN's credentials.
    public static let adminEmail = "admin@example.com"
    public static let adminPassword = "admin-password-1"

    private let processes: ProcessTable

    /// Starts auth, event and gateway (in that order) and waits until the gateway is ready.
    /// - Parameters:
    ///   - mongoURI: The MongoDB to use; the shared test endpoint when `nil`.
    ///   - overrides: Environment values that replace or add to the defaults.
    public init(mongoURI: String? = nil, overrides: [String: String] = [:]) async throws {
        let uri: String
        if let mongoURI { uri = mongoURI } else { uri = try await MongoTestEndpoint.uri() }
        var ports: [Service: Int] = [:]
        for service in Service.allCases { ports[service] = try unusedLoopbackPort() }
        var environment = [
            "MONGODB_URI": uri, "AUTH_DATABASE": uniqueDatabaseName("auth"),
            "EVENT_DATABASE": uniqueDatabaseName("event"),
            "AUTH_URL": "http://127.0.0.1:\(ports[.auth]!)", "EVENT_URL": "http://127.0.0.1:\(ports[.event]!)",
            "GATEWAY_PORT": "\(ports[.gateway]!)", "AUTH_PORT": "\(ports[.auth]!)", "EVENT_PORT": "\(ports[.event]!)",
            "BCRYPT_COST": "4", "ADMIN_EMAIL": Self.adminEmail, "ADMIN_PASSWORD": Self.adminPassword,
            "LOG_LEVEL": "info",
        ]
        environment.merge(overrides) { _, new in new }
        self.environment = environment
        self.ports = ports
        self.gateway = PlatformClient(baseURL: "http://127.0.0.1:\(ports[.gateway]!)")
        self.processes = ProcessTable()
        for service in Service.allCases { try await start(service) }
        guard try await gateway.waitFor("/health/ready") else {
            _ = try? await stop()
            throw TestSupportError("the gateway never became ready")
        }
    }

    /// A client straight to one service's port (bypassing the gateway).
    public func client(_ service: Service) -> PlatformClient {
        PlatformClient(baseURL: "http://127.0.0.1:\(ports[service]!)")
    }

    /// The running process of `service`, if any.
    public func process(_ service: Service) -> PlatformProcess? {
        processes.table.withLock { $0[service] }
    }

    /// Starts `service` (again) on its port, with `extra` environment, and waits until it
    /// listens.
    public func start(_ service: Service, extra: [String: String] = [:]) async throws {
        var environment = environment
        environment.merge(extra) { _, new in new }
        let process = try PlatformProcess([service.rawValue], environment: environment)
        processes.table.withLock { $0[service] = process }
        _ = try await process.ports(of: [service.rawValue])
    }

    /// Sends `signal` to `service` without waiting (SIGKILL, SIGSTOP, SIGCONT…).
    public func signal(_ service: Service, _ signal: Int32) {
        guard let process = process(service) else { return }
        kill(process.processIdentifier, signal)
    }

    /// Kills `service` with SIGKILL and waits until it is gone.
    public func crash(_ service: Service) async throws {
        guard let process = process(service) else { return }
        kill(process.processIdentifier, SIGKILL)
        _ = try await process.waitForExit(timeout: .seconds(10))
        processes.table.withLock { $0[service] = nil }
    }

    /// Stops `service` gracefully and returns its exit status.
    @discardableResult
    public func stop(_ service: Service) async throws -> Int32? {
        guard let process = process(service) else { return nil }
        let status = try await process.stop()
        processes.table.withLock { $0[service] = nil }
        return status
    }

    /// Stops every service still running (gateway first) and returns their exit statuses.
    @discardableResult
    public func stop() async throws -> [Service: Int32] {
        var statuses: [Service: Int32] = [:]
        for service in Service.allCases.reversed() {
            if let status = try await stop(service) { statuses[service] = status }
        }
        return statuses
    }

    /// Logs in through the gateway and returns the access token.
    public func login(_ email: String, _ password: String) async throws -> String {
        let reply = try await gateway.call(.POST, "/auth/login", json: ["email": email, "password": password])
        guard reply.status == 200, let token = reply.object["accessToken"] as? String else {
            throw TestSupportError("login \(email) answered \(reply.status): \(reply.text)")
        }
        return token
    }

    /// Registers `email` (password `password-<email>`) and returns the user id.
    public func register(_ email: String) async throws -> String {
        let reply = try await gateway.call(
            .POST, "/auth/register", json: ["email": email, "password": "password-\(email)", "nickname": "n"])
        guard reply.status == 201, let id = reply.object["id"] as? String else {
            throw TestSupportError("register \(email) answered \(reply.status): \(reply.text)")
        }
        return id
    }

    /// Registers `email` and logs in; returns the user id and access token.
    public func signUp(_ email: String) async throws -> (id: String, token: String) {
        let id = try await register(email)
        return (id, try await login(email, "password-\(email)"))
    }

    /// The bootstrapped ADMIN's access token.
    public func adminToken() async throws -> String {
        try await login(Self.adminEmail, Self.adminPassword)
    }

    /// Registers `email`, gives it `roles` as the ADMIN, and logs it in.
    public func account(_ email: String, roles: [String]) async throws -> (id: String, token: String) {
        let id = try await register(email)
        let reply = try await gateway.call(
            .PUT, "/users/\(id)/roles", token: try await adminToken(), json: ["roles": roles])
        guard reply.status == 200 else { throw TestSupportError("roles for \(email) answered \(reply.status)") }
        return (id, try await login(email, "password-\(email)"))
    }

    /// A SERVICE client's access token (client-credentials grant).
    public func serviceToken(name: String = "game-server") async throws -> String {
        let client = try await gateway.call(
            .POST, "/service-clients", token: try await adminToken(), json: ["name": name])
        guard client.status == 201, let id = client.object["clientId"] as? String,
            let secret = client.object["clientSecret"] as? String
        else { throw TestSupportError("service client answered \(client.status): \(client.text)") }
        let grant = try await gateway.call(
            .POST, "/auth/token", form: "grant_type=client_credentials&client_id=\(id)&client_secret=\(secret)")
        guard let token = grant.object["access_token"] as? String else {
            throw TestSupportError("client credentials answered \(grant.status)")
        }
        return token
    }
}

/// The cluster's processes by service.
private final class ProcessTable: Sendable {
    let table = Mutex<[PlatformCluster.Service: PlatformProcess]>([:])
}
