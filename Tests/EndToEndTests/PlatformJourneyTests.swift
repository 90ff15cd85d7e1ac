import AuthService
import EventService
import Foundation
import MongoKit
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
    @Test func theWholeStoryThroughTheGateway() async throws {
        let cluster = try await PlatformCluster()
        let gateway = cluster.gateway
        func login(_ email: String, _ password: String) async throws -> String {
            try await cluster.login(email, password)
        }
        func register(_ email: String) async throws -> String {
            let reply = try await gateway.call(
                .POST, "/auth/register", json: ["email": email, "password": "password-\(email)", "nickname": "n"])
            #expect(reply.status == 201, "register \(email)")
            #expect(reply.object["passwordHash"] == nil)
            return try #require(reply.object["id"] as? String)
        }

        // Accounts: an ADMIN makes an OPERATOR and an AUDITOR.
        let admin = try await login("admin@example.com", "admin-password-1")
        let userID = try await register("user@example.com")
        let operatorID = try await register("operator@example.com")
        let auditorID = try await register("auditor@example.com")
        #expect(
            try await gateway.call(.PUT, "/users/\(operatorID)/roles", token: admin, json: ["roles": ["OPERATOR"]])
                .status == 200)
        #expect(
            try await gateway.call(.PUT, "/users/\(auditorID)/roles", token: admin, json: ["roles": ["AUDITOR"]]).status
                == 200)
        let operatorToken = try await login("operator@example.com", "password-operator@example.com")
        let auditor = try await login("auditor@example.com", "password-auditor@example.com")

        // A game server's SERVICE client.
        let client = try await gateway.call(.POST, "/service-clients", token: admin, json: ["name": "game-server"])
        #expect(client.status == 201)
        let clientID = try #require(client.object["clientId"] as? String)
        let secret = try #require(client.object["clientSecret"] as? String)
        let grant = try await gateway.call(
            .POST, "/auth/token",
            form: "grant_type=client_credentials&client_id=\(clientID)&client_secret=\(secret)")
        #expect(grant.status == 200)
        let service = try #require(grant.object["access_token"] as? String)

        // The operator's event: a 3-day login streak, 100 points and a coupon, both stocked.
        let now = Date()
        let created = try await gateway.call(
            .POST, "/events", token: operatorToken,
            json: [
                "title": "Three-day streak", "description": "Log in three days in a row",
                "startAt": PlatformClient.iso(now.addingTimeInterval(-5 * 86_400)),
                "endAt": PlatformClient.iso(now.addingTimeInterval(86_400)),
                "timezone": "UTC", "conditions": [["type": "CONTINUOUS_LOGIN", "days": 3]],
            ])
        #expect(created.status == 201, "\(created.object)")
        let eventID = try #require(created.object["id"] as? String)
        for reward: [String: Any] in [
            ["type": "POINT", "name": "100 points", "amount": 100, "stock": 10],
            ["type": "COUPON", "name": "Welcome coupon", "couponTemplate": "WELCOME", "stock": 10],
        ] {
            #expect(
                try await gateway.call(.POST, "/events/\(eventID)/rewards", token: operatorToken, json: reward).status
                    == 201)
        }
        #expect(
            try await gateway.call(.POST, "/events/\(eventID)/status", token: operatorToken, json: ["status": "ACTIVE"])
                .status == 200)

        // Activity: today's login travels auth's outbox; the two days before come from the game server.
        _ = try await login("user@example.com", "password-user@example.com")
        let userToken = try await login("user@example.com", "password-user@example.com")
        let recorded = try await gateway.call(
            .POST, "/activities", token: service,
            json: [
                "activities": [1, 2].map { days in
                    [
                        "userId": userID, "type": "LOGIN",
                        "occurredAt": PlatformClient.iso(now.addingTimeInterval(Double(-days) * 86_400)),
                        "sourceId": "game-login-\(days)",
                    ]
                }
            ])
        #expect(recorded.status == 201)

        // Progress turns met once the outbox delivered today's login (within seconds).
        var met = false
        let progressDeadline = ContinuousClock.now + .seconds(20)
        while !met && ContinuousClock.now < progressDeadline {
            let progress = try await gateway.call(.GET, "/events/\(eventID)/progress", token: userToken)
            #expect(progress.status == 200)
            met = progress.object["met"] as? Bool ?? false
            if !met { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(met, "the 3-day streak never became met")

        // Claim once; a second claim is refused.
        let claim = try await gateway.call(.POST, "/events/\(eventID)/claims", token: userToken)
        #expect(claim.status == 201)
        #expect(claim.object["status"] as? String == "GRANTED")
        let claimID = try #require(claim.object["id"] as? String)
        let again = try await gateway.call(.POST, "/events/\(eventID)/claims", token: userToken)
        #expect(again.status == 409)
        #expect((again.object["error"] as? [String: Any])?["code"] as? String == "ALREADY_CLAIMED")

        // Wallet and history.
        let wallet = try await gateway.call(.GET, "/wallet/me", token: userToken)
        #expect(wallet.status == 200)
        #expect(wallet.object["points"] as? Int == 100)
        let coupons = wallet.object["coupons"] as? [[String: Any]] ?? []
        #expect(coupons.count == 1)
        let couponCode = try #require(coupons.first?["couponCode"] as? String)
        let history = try await gateway.call(.GET, "/claims/me", token: userToken)
        #expect((history.object["items"] as? [[String: Any]])?.map { $0["id"] as? String } == [claimID])

        // The auditor reads all claims and the audit log (event's own and auth's, via its outbox).
        let claims = try await gateway.call(.GET, "/claims?eventId=\(eventID)", token: auditor)
        #expect(claims.status == 200)
        #expect((claims.object["items"] as? [Any])?.count == 1)
        var actions: Set<String> = []
        let auditDeadline = ContinuousClock.now + .seconds(20)
        while !actions.isSuperset(of: ["event.create", "user.roles.set", "serviceClient.create"])
            && ContinuousClock.now < auditDeadline
        {
            let audit = try await gateway.call(.GET, "/audit-logs?limit=100", token: auditor)
            #expect(audit.status == 200)
            actions = Set((audit.object["items"] as? [[String: Any]] ?? []).compactMap { $0["action"] as? String })
            try await Task.sleep(for: .milliseconds(200))
        }
        #expect(actions.isSuperset(of: ["event.create", "user.roles.set", "serviceClient.create"]), "\(actions)")

        // A user whose streak is one day short is refused, and the refusal is stored with its reason.
        let lateID = try await register("late@example.com")
        let lateToken = try await login("late@example.com", "password-late@example.com")
        let refused = try await gateway.call(.POST, "/events/\(eventID)/claims", token: lateToken)
        #expect(refused.status == 422)
        #expect((refused.object["error"] as? [String: Any])?["code"] as? String == "CONDITION_NOT_MET")

        // The operator enters the two missing days by hand; the late user's next claim is
        // granted, and rests on staff-entered activity (an auditor's question below).
        let entered = try await gateway.call(
            .POST, "/activities", token: operatorToken,
            json: [
                "activities": [1, 2].map { days in
                    [
                        "userId": lateID, "type": "LOGIN",
                        "occurredAt": PlatformClient.iso(now.addingTimeInterval(Double(-days) * 86_400)),
                    ]
                }
            ])
        #expect(entered.status == 201, "\(entered.object)")
        var lateMet = false
        let lateDeadline = ContinuousClock.now + .seconds(20)
        while !lateMet && ContinuousClock.now < lateDeadline {
            let progress = try await gateway.call(.GET, "/events/\(eventID)/progress", token: lateToken)
            lateMet = progress.object["met"] as? Bool ?? false
            if !lateMet { try await Task.sleep(for: .milliseconds(200)) }
        }
        #expect(lateMet, "the late user's streak never became met")
        #expect(try await gateway.call(.POST, "/events/\(eventID)/claims", token: lateToken).status == 201)

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
            let reply = try await gateway.call(
                method, path, token: token, json: method == .POST ? [:] as [String: Any] : nil)
            #expect(reply.status == expected, "\(what): \(reply.status)")
        }

        // The auditor's mongosh queries of docs/AUDITING.md, as written, on this data.
        try await Self.runAuditorQueries(
            cluster: cluster,
            facts: [
                "eventId": eventID, "userId": userID, "lateUserId": lateID, "operatorId": operatorID,
                "operatorEmail": "operator@example.com", "auditorEmail": "auditor@example.com",
                "adminEmail": PlatformCluster.adminEmail, "couponCode": couponCode,
            ])

        #expect(try await cluster.stop() == [.gateway: 0, .event: 0, .auth: 0])
    }

    /// Creates the auditors' views (as mongo-init does) in the cluster's databases and runs
    /// `auditor_queries.py` over docs/AUDITING.md through pymongo.
    static func runAuditorQueries(cluster: PlatformCluster, facts: [String: String]) async throws {
        let uri = try #require(cluster.environment["MONGODB_URI"])
        let eventDatabase = try #require(cluster.environment["EVENT_DATABASE"])
        let authDatabase = try #require(cluster.environment["AUTH_DATABASE"])
        let pool = try await makeTestPool()
        for view in EventStorage.views {
            try await pool.database(eventDatabase).createView(view.name, on: view.source, pipeline: view.pipeline)
        }
        for view in AuthStorage.views {
            try await pool.database(authDatabase).createView(view.name, on: view.source, pipeline: view.pipeline)
        }
        await pool.close()
        var all = facts
        all.merge(["uri": uri, "eventDatabase": eventDatabase, "authDatabase": authDatabase]) { _, new in new }
        let root = MongoTestEndpoint.repositoryRoot
        let outcome = try await ToolProcess.run(
            ToolProcess.doublePython,
            [
                root.appendingPathComponent("Tests/EndToEndTests/auditor_queries.py").path,
                root.appendingPathComponent("docs/AUDITING.md").path,
                String(decoding: try JSONSerialization.data(withJSONObject: all), as: UTF8.self),
            ])
        #expect(outcome.status == 0, "\(outcome.output)")
    }
}
