import AsyncHTTPClient
import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

/// The whole story through the gateway only, with the three real executables as separate
/// processes on loopback: accounts and roles, an event with a 3-day login streak and two
/// stocked rewards, activity from logins (auth's outbox) and from a game server (SERVICE),
/// progress, claim, wallet, history, the auditor's view, and every role refused what it
/// may not do.
@Suite(.serialized) struct PlatformJourneyTests {
    /// A JSON response.
    struct Reply {
        var status: Int
        var json: Any?
        var object: [String: Any] { json as? [String: Any] ?? [:] }
    }

    /// Sends a request to the gateway.
    static func call(
        _ method: HTTPMethod, _ url: String, token: String? = nil, json: Any? = nil, form: String? = nil
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: url)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        }
        let response = try await HTTPClient.shared.execute(request, timeout: .seconds(20))
        let body = try await response.body.collect(upTo: 1 << 22)
        let data = Data(body.readableBytesView)
        return Reply(
            status: Int(response.status.code),
            json: data.isEmpty ? nil : try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]))
    }

    /// RFC 3339 UTC, as the API expects.
    static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    @Test func theWholeStoryThroughTheGateway() async throws {
        let uri = try await MongoTestEndpoint.uri()
        let (gatewayPort, authPort, eventPort) = (try unusedLoopbackPort(), try unusedLoopbackPort(), try unusedLoopbackPort())
        let shared = [
            "MONGODB_URI": uri, "AUTH_DATABASE": uniqueDatabaseName("auth"), "EVENT_DATABASE": uniqueDatabaseName("event"),
            "AUTH_URL": "http://127.0.0.1:\(authPort)", "EVENT_URL": "http://127.0.0.1:\(eventPort)",
            "GATEWAY_PORT": "\(gatewayPort)", "AUTH_PORT": "\(authPort)", "EVENT_PORT": "\(eventPort)",
            "BCRYPT_COST": "4", "ADMIN_EMAIL": "admin@example.com", "ADMIN_PASSWORD": "admin-password-1",
            "LOG_LEVEL": "info",
        ]
        let auth = try PlatformProcess(["auth"], environment: shared)
        _ = try await auth.ports(of: ["auth"])
        let event = try PlatformProcess(["event"], environment: shared)
        _ = try await event.ports(of: ["event"])
        let gateway = try PlatformProcess(["gateway"], environment: shared)
        _ = try await gateway.ports(of: ["gateway"])
        let base = "http://127.0.0.1:\(gatewayPort)"

        // Wait until the gateway sees both upstreams (and auth's keys) ready.
        let deadline = ContinuousClock.now + .seconds(30)
        while try await Self.call(.GET, "\(base)/health/ready").status != 200 {
            #expect(ContinuousClock.now < deadline, "gateway never became ready")
            if ContinuousClock.now >= deadline { return }
            try await Task.sleep(for: .milliseconds(100))
        }

        func login(_ email: String, _ password: String) async throws -> String {
            let reply = try await Self.call(.POST, "\(base)/auth/login", json: ["email": email, "password": password])
            #expect(reply.status == 200, "login \(email)")
            return try #require(reply.object["accessToken"] as? String)
        }
        func register(_ email: String) async throws -> String {
            let reply = try await Self.call(
                .POST, "\(base)/auth/register", json: ["email": email, "password": "password-\(email)", "nickname": "n"])
            #expect(reply.status == 201, "register \(email)")
            #expect(reply.object["passwordHash"] == nil)
            return try #require(reply.object["id"] as? String)
        }

        // Accounts: an ADMIN makes an OPERATOR and an AUDITOR.
        let admin = try await login("admin@example.com", "admin-password-1")
        let userID = try await register("user@example.com")
        let operatorID = try await register("operator@example.com")
        let auditorID = try await register("auditor@example.com")
        #expect(try await Self.call(.PUT, "\(base)/users/\(operatorID)/roles", token: admin, json: ["roles": ["OPERATOR"]]).status == 200)
        #expect(try await Self.call(.PUT, "\(base)/users/\(auditorID)/roles", token: admin, json: ["roles": ["AUDITOR"]]).status == 200)
        let operatorToken = try await login("operator@example.com", "password-operator@example.com")
        let auditor = try await login("auditor@example.com", "password-auditor@example.com")

        // A game server's SERVICE client.
        let client = try await Self.call(.POST, "\(base)/service-clients", token: admin, json: ["name": "game-server"])
        #expect(client.status == 201)
        let clientID = try #require(client.object["clientId"] as? String)
        let secret = try #require(client.object["clientSecret"] as? String)
        let grant = try await Self.call(
            .POST, "\(base)/auth/token",
            form: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)")
        #expect(grant.status == 200)
        let service = try #require(grant.object["access_token"] as? String)

        // The operator's event: a 3-day login streak, 100 points and a coupon, both stocked.
        let now = Date()
        let created = try await Self.call(
            .POST, "\(base)/events", token: operatorToken,
            json: [
                "title": "Three-day streak", "description": "Log in three days in a row",
                "startAt": Self.iso(now.addingTimeInterval(-5 * 86_400)), "endAt": Self.iso(now.addingTimeInterval(86_400)),
                "timezone": "UTC", "conditions": [["type": "CONTINUOUS_LOGIN", "days": 3]],
            ])
        #expect(created.status == 201, "\(created.object)")
        let eventID = try #require(created.object["id"] as? String)
        for reward: [String: Any] in [
            ["type": "POINT", "name": "100 points", "amount": 100, "stock": 10],
            ["type": "COUPON", "name": "Welcome coupon", "couponTemplate": "WELCOME", "stock": 10],
        ] {
            #expect(try await Self.call(.POST, "\(base)/events/\(eventID)/rewards", token: operatorToken, json: reward).status == 201)
        }
        #expect(try await Self.call(.POST, "\(base)/events/\(eventID)/status", token: operatorToken, json: ["status": "ACTIVE"]).status == 200)

        // Activity: today's login travels auth's outbox; the two days before come from the game server.
        _ = try await login("user@example.com", "password-user@example.com")
        let userToken = try await login("user@example.com", "password-user@example.com")
        let recorded = try await Self.call(
            .POST, "\(base)/activities", token: service,
            json: ["activities": [1, 2].map { days in
                ["userId": userID, "type": "LOGIN", "occurredAt": Self.iso(now.addingTimeInterval(Double(-days) * 86_400)),
                 "sourceId": "game-login-\(days)"]
            }])
        #expect(recorded.status == 201)

        // Progress turns met once the outbox delivered today's login (within seconds).
        var met = false
        let progressDeadline = ContinuousClock.now + .seconds(20)
        while !met && ContinuousClock.now < progressDeadline {
            let progress = try await Self.call(.GET, "\(base)/events/\(eventID)/progress", token: userToken)
            #expect(progress.status == 200)
            met = progress.object["met"] as? Bool ?? false
            if !met { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(met, "the 3-day streak never became met")

        // Claim once; a second claim is refused.
        let claim = try await Self.call(.POST, "\(base)/events/\(eventID)/claims", token: userToken)
        #expect(claim.status == 201)
        #expect(claim.object["status"] as? String == "GRANTED")
        let claimID = try #require(claim.object["id"] as? String)
        let again = try await Self.call(.POST, "\(base)/events/\(eventID)/claims", token: userToken)
        #expect(again.status == 409)
        #expect((again.object["error"] as? [String: Any])?["code"] as? String == "ALREADY_CLAIMED")

        // Wallet and history.
        let wallet = try await Self.call(.GET, "\(base)/wallet/me", token: userToken)
        #expect(wallet.status == 200)
        #expect(wallet.object["points"] as? Int == 100)
        #expect((wallet.object["coupons"] as? [Any])?.count == 1)
        let history = try await Self.call(.GET, "\(base)/claims/me", token: userToken)
        #expect((history.object["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [claimID])

        // The auditor reads all claims and the audit log (event's own and auth's, via its outbox).
        let claims = try await Self.call(.GET, "\(base)/claims?eventId=\(eventID)", token: auditor)
        #expect(claims.status == 200)
        #expect((claims.object["items"] as? [Any])?.count == 1)
        var actions: Set<String> = []
        let auditDeadline = ContinuousClock.now + .seconds(20)
        while !actions.isSuperset(of: ["event.create", "user.roles.set", "serviceClient.create"])
            && ContinuousClock.now < auditDeadline
        {
            let audit = try await Self.call(.GET, "\(base)/audit-logs?limit=100", token: auditor)
            #expect(audit.status == 200)
            actions = Set((audit.object["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(actions.isSuperset(of: ["event.create", "user.roles.set", "serviceClient.create"]), "\(actions)")

        // A user whose streak is one day short is refused, and the refusal is stored with its reason.
        _ = try await register("late@example.com")
        let lateToken = try await login("late@example.com", "password-late@example.com")
        let refused = try await Self.call(.POST, "\(base)/events/\(eventID)/claims", token: lateToken)
        #expect(refused.status == 422)
        #expect((refused.object["error"] as? [String: Any])?["code"] as? String == "CONDITION_NOT_MET")

        // Every role is refused what it may not do.
        let refusals: [(String, HTTPMethod, String, String?, Int)] = [
            ("user creates an event", .POST, "/events", userToken, 403),
            ("auditor creates an event", .POST, "/events", auditor, 403),
            ("operator reads a wallet", .GET, "/wallet/me", operatorToken, 403),
            ("user lists all claims", .GET, "/claims", userToken, 403),
            ("user reads the audit log", .GET, "/audit-logs", userToken, 403),
            ("operator lists users", .GET, "/users", operatorToken, 403),
            ("service reads claims", .GET, "/claims", service, 403),
            ("service claims", .POST, "/events/\(eventID)/claims", service, 403),
            ("anonymous wallet", .GET, "/wallet/me", nil, 401),
            ("auditor records activity", .POST, "/activities", auditor, 403),
        ]
        for (what, method, path, token, expected) in refusals {
            let reply = try await Self.call(method, "\(base)\(path)", token: token, json: method == .POST ? [:] as [String: Any] : nil)
            #expect(reply.status == expected, "\(what): \(reply.status)")
        }

        #expect(try await gateway.stop() == 0)
        #expect(try await event.stop() == 0)
        #expect(try await auth.stop() == 0)
    }
}
