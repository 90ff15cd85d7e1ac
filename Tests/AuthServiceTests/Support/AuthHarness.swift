import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MongoKit
import NIOCore
import PlatformCore
import TestSupport

@testable import AuthService

/// A JSON response: status, headers and the decoded body.
struct JSONResponse: Sendable {
    var status: Int
    var headers: HTTPFields
    var text: String

    var body: [String: Any] {
        (try? JSONSerialization.jsonObject(with: Data(text.utf8))) as? [String: Any] ?? [:]
    }

    /// `error.code` of an envelope.
    var code: String? { (body["error"] as? [String: Any])?["code"] as? String }
    /// `error.message` of an envelope.
    var message: String? { (body["error"] as? [String: Any])?["message"] as? String }
    /// `error.details` of an envelope.
    var details: [String: Any] { ((body["error"] as? [String: Any])?["details"] as? [String: Any]) ?? [:] }
    /// `details.field` of an envelope.
    var field: String? { details["field"] as? String }
    subscript(key: String) -> Any? { body[key] }
    /// The string member `key` of the body.
    func string(_ key: String) -> String? { body[key] as? String }
}

/// Settings for tests: the fixed test key, bcrypt cost 4, a relay target nothing listens on.
func testSettings(
    rateLimit: AuthSettings.LoginRateLimit = .init(
        attemptsPerEmail: 5, emailWindowSeconds: 900, attemptsPerIP: 1000, ipWindowSeconds: 900),
    admin: AuthSettings.AdminBootstrap? = nil,
    previousPublicKeys: [AuthSettings.PublicKey] = []
) -> AuthSettings {
    AuthSettings(
        signingKey: .init(privateKeyPEM: TestKeys.primaryPEM, keyID: TestKeys.primaryKID),
        previousPublicKeys: previousPublicKeys,
        bcryptCost: 4,
        adminBootstrap: admin,
        loginRateLimit: rateLimit,
        eventURL: "http://127.0.0.1:9"
    )
}

/// The auth service built for one test: its own database on the test MongoDB, tested
/// through Hummingbird's router test client.
struct AuthHarness: Sendable {
    let pool: MongoClientPool
    let database: MongoDatabase
    let core: AuthCore
    let client: any TestClientProtocol

    /// Builds the service, runs `body`, then drops the database and stops everything.
    static func run(
        settings: AuthSettings = testSettings(),
        logger: Logger = quietLogger(),
        poolLogger: Logger? = nil,
        _ body: @escaping @Sendable (AuthHarness) async throws -> Void
    ) async throws {
        let pool = try await makeLoggedPool(logger: poolLogger)
        let database = pool.database(uniqueDatabaseName("auth"))
        let hasher = PasswordHasher(cost: settings.bcryptCost, threads: 2)
        do {
            let core = try await AuthCore.make(settings: settings, database: database, hasher: hasher, logger: logger)
            try await core.prepareDatabase(logger: logger)
            let application = try buildAuthApplication(
                configuration: ServiceConfiguration(
                    http: HTTPServerConfiguration(port: 0), mongo: pool.configuration, databaseName: database.name),
                pool: pool, core: core, logger: logger)
            try await application.test(.router) { client in
                try await body(AuthHarness(pool: pool, database: database, core: core, client: client))
            }
        } catch {
            try? await database.drop()
            await hasher.shutdown()
            await pool.close()
            throw error
        }
        try? await database.drop()
        await hasher.shutdown()
        await pool.close()
    }

    static func makeLoggedPool(logger: Logger?) async throws -> MongoClientPool {
        guard let logger else { return try await makeTestPool(maxPoolSize: 16) }
        let configuration = MongoClientConfiguration(
            uri: try await MongoTestEndpoint.uri(), maxPoolSize: 16, serverSelectionTimeout: .seconds(5),
            connectTimeout: .seconds(2), socketTimeout: .seconds(20), appName: "tests")
        return try MongoClientPool(configuration: configuration, logger: logger)
    }

    static func quietLogger() -> Logger {
        var logger = Logger(label: "auth-tests")
        logger.logLevel = .critical
        return logger
    }

    // MARK: - Requests

    /// Sends `json` (an object, or raw text) to `path`.
    func request(
        _ method: HTTPRequest.Method, _ path: String, json: Any? = nil, raw: String? = nil, token: String? = nil,
        headers extra: HTTPFields = [:]
    ) async throws -> JSONResponse {
        var headers = extra
        var body: ByteBuffer?
        if let json {
            body = ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json))
            headers[.contentType] = "application/json"
        } else if let raw {
            body = ByteBuffer(string: raw)
            if headers[.contentType] == nil { headers[.contentType] = "application/json" }
        }
        if let token { headers[.authorization] = "Bearer \(token)" }
        let response = try await client.execute(uri: path, method: method, headers: headers, body: body)
        return JSONResponse(
            status: Int(response.status.code), headers: response.headers, text: String(buffer: response.body))
    }

    /// `POST /auth/register`.
    @discardableResult
    func register(
        _ email: String, password: String = "correct horse battery", nickname: String = "Player"
    )
        async throws -> JSONResponse
    {
        try await request(.post, "/auth/register", json: ["email": email, "password": password, "nickname": nickname])
    }

    /// `POST /auth/login`, from `ip` (as the gateway's `X-Forwarded-For`) when given.
    func login(
        _ email: String, password: String = "correct horse battery", ip: String? = nil
    ) async throws
        -> JSONResponse
    {
        var headers: HTTPFields = [:]
        if let ip { headers[HTTPField.Name("X-Forwarded-For")!] = ip }
        return try await request(.post, "/auth/login", json: ["email": email, "password": password], headers: headers)
    }

    /// A registered user's id and a fresh token pair.
    func signedInUser(
        _ email: String, password: String = "correct horse battery"
    ) async throws
        -> (id: String, access: String, refresh: String)
    {
        let registered = try await register(email, password: password)
        guard registered.status == 201, let id = registered.string("id") else {
            throw TestSupportError("register failed: \(registered.status) \(registered.text)")
        }
        let login = try await login(email, password: password)
        guard login.status == 200, let access = login.string("accessToken"), let refresh = login.string("refreshToken")
        else { throw TestSupportError("login failed: \(login.status) \(login.text)") }
        return (id, access, refresh)
    }

    /// An ADMIN user stored directly, and an access token for them.
    func admin(_ email: String = "admin@example.com") async throws -> (id: ObjectID, token: String) {
        let now = Date()
        let user = UserRecord(
            id: ObjectID(), email: email, nickname: "Admin",
            passwordHash: try await core.hasher.hash("admin password 1"),
            roles: [.admin], createdAt: now, updatedAt: now)
        try await core.users.insert(user)
        let token = try await core.tokens.userToken(subject: user.id.hex, roles: [.admin])
        return (user.id, token.token)
    }

    /// The stored documents of `collection`.
    func documents(_ collection: String, _ filter: BSONDocument = [:]) async throws -> [BSONDocument] {
        try await database.collection(collection).find(filter).toArray()
    }
}
