import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct SecretRedactionTests {
    /// Register, log in (failing and succeeding), refresh, log out, create a service client,
    /// take client-credentials tokens and let the relay deliver — everything logged at trace
    /// — then look for every secret in every log line and every response but its issuer's.
    @Test func noSecretAppearsInLogsOrInResponsesOtherThanItsIssuer() async throws {
        let store = CapturingLogHandler.Store()
        let password = "very secret password 42"
        let wrongPassword = "wrong secret guess 17"
        try await AuthHarness.run(logger: store.logger("auth"), poolLogger: store.logger("mongokit")) { auth in
            let stub = StubEventService()
            var responses: [(issuer: String, text: String)] = []
            var issued: [(issuer: String, secret: String)] = []

            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await stub.run(port: 0) }
                let port = try await stub.waitUntilListening()
                let relay = OutboxRelay(
                    core: auth.core,
                    configuration: .init(eventURL: "http://127.0.0.1:\(port)", pollInterval: .milliseconds(50)),
                    logger: store.logger("relay"))
                group.addTask { try await relay.run() }

                let register = try await auth.register("secret@example.com", password: password)
                responses.append(("register", register.text))
                let userID = try #require(register.string("id"))
                let failed = try await auth.login("secret@example.com", password: wrongPassword)
                #expect(failed.status == 401)
                responses.append(("failed login", failed.text))
                let badRequest = try await auth.request(
                    .post, "/auth/register", json: ["email": "x@example.com", "password": "short", "nickname": "n"])
                responses.append(("bad register", badRequest.text))

                let login = try await auth.login("secret@example.com", password: password)
                responses.append(("login", login.text))
                let refresh1 = try #require(login.string("refreshToken"))
                let access1 = try #require(login.string("accessToken"))
                issued += [("login", refresh1), ("login", access1)]

                let refreshed = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": refresh1])
                responses.append(("refresh", refreshed.text))
                let refresh2 = try #require(refreshed.string("refreshToken"))
                issued += [("refresh", refresh2), ("refresh", try #require(refreshed.string("accessToken")))]
                let reused = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": refresh1])
                responses.append(("reuse", reused.text))

                let me = try await auth.request(.get, "/auth/me", token: access1)
                responses.append(("me", me.text))
                let logout = try await auth.request(
                    .post, "/auth/logout", json: ["refreshToken": refresh2], token: access1)
                responses.append(("logout", logout.text))

                let admin = try await auth.admin()
                let list = try await auth.request(.get, "/users", token: admin.token)
                responses.append(("list", list.text))
                let client = try await auth.request(
                    .post, "/service-clients", json: ["name": "logged"], token: admin.token)
                responses.append(("service client", client.text))
                let clientID = try #require(client.string("clientId"))
                let clientSecret = try #require(client.string("clientSecret"))
                issued.append(("service client", clientSecret))
                let basic = "Basic " + Data("\(clientID):\(clientSecret)".utf8).base64EncodedString()
                let grant = try await auth.request(
                    .post, "/auth/token", raw: "grant_type=client_credentials",
                    headers: [.contentType: "application/x-www-form-urlencoded", .authorization: basic])
                responses.append(("token", grant.text))
                issued.append(("token", try #require(grant.string("access_token"))))
                let wrongSecret = try await auth.request(
                    .post, "/auth/token",
                    raw: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(clientSecret)x",
                    headers: [.contentType: "application/x-www-form-urlencoded"])
                responses.append(("bad token", wrongSecret.text))
                let roles = try await auth.request(
                    .put, "/users/\(userID)/roles", json: ["roles": ["OPERATOR"]], token: admin.token)
                responses.append(("roles", roles.text))

                let deadline = ContinuousClock.now + .seconds(5)
                while stub.counts.count < 3, ContinuousClock.now < deadline {
                    try await Task.sleep(for: .milliseconds(25))
                }
                #expect(stub.counts.count == 3)  // the login, the client's creation, the role change
                group.cancelAll()
            }

            // Secrets that no response may show: passwords, and every digest stored.
            var hidden = [password, wrongPassword]
            hidden += try await auth.documents("users").compactMap { $0["passwordHash"]?.stringValue }
            hidden += try await auth.documents("refreshTokens").compactMap { $0["tokenHash"]?.stringValue }
            hidden += try await auth.documents("serviceClients").compactMap { $0["secretHash"]?.stringValue }
            hidden = hidden.filter { !$0.isEmpty }
            #expect(hidden.count >= 7)  // 2 passwords, 2 password hashes, 2 token digests, 1 secret digest

            let lines = store.lines
            #expect(lines.count > 20)
            #expect(lines.contains { $0.contains("login succeeded") })
            #expect(lines.contains { $0.hasPrefix("trace") || $0.hasPrefix("debug") })
            for secret in hidden + issued.map(\.secret) {
                for line in lines where line.contains(secret) {
                    Issue.record("a secret appears in the log: \(line.prefix(200))")
                }
            }
            for secret in hidden {
                for response in responses where response.text.contains(secret) {
                    Issue.record("a secret appears in the \(response.issuer) response")
                }
            }
            for (issuer, secret) in issued {
                for response in responses where response.issuer != issuer && response.text.contains(secret) {
                    Issue.record("a secret issued by \(issuer) appears in the \(response.issuer) response")
                }
            }
            // The audit entries the event service receives carry no secret either.
            let delivered = stub.auditEntries.joined() + stub.activities.joined()
            for secret in hidden + issued.map(\.secret) where delivered.contains(secret) {
                Issue.record("a secret was delivered to the event service")
            }
        }
    }
}
