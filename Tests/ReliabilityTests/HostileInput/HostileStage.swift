import Foundation
import NIOHTTP1
import TestSupport

/// The platform as the hostile-input tables find it: the three real processes, auth
/// signing with the fixed test key (so a test can tell a forged token from a genuine one
/// and mint a genuine one when it needs to), one account per role, a SERVICE client, and
/// data worth stealing: Bob holds a GRANTED claim and 100 points, Alice only a REJECTED
/// claim.
struct HostileStage: Sendable {
    /// A signed-in account.
    struct Account: Sendable {
        var id: String
        var email: String
        var token: String
        var refreshToken: String
    }

    let cluster: PlatformCluster
    let admin: Account
    let operatorAccount: Account
    let auditor: Account
    let alice: Account
    let bob: Account
    /// A SERVICE client's access token.
    let service: String
    /// ACTIVE, one CUSTOM condition (LEVEL_UP count ≥ 1), one POINT reward of 100, stock 10.
    let activeEvent: String
    let draftEvent: String
    /// Bob's GRANTED claim on `activeEvent`.
    let bobClaim: String
    /// Alice's REJECTED claim on `activeEvent` (her conditions are not met).
    let aliceClaim: String
    let reward: String

    /// The settings of every hostile cluster: the test key signs, and login rate limits and
    /// the gateway's budget of forged tokens are off or far above what the tables spend (they
    /// are not what is tested here: the tables send every forged token from one address).
    static let overrides = [
        "JWT_PRIVATE_KEY": TestKeys.primaryPEM, "JWT_KEY_ID": TestKeys.primaryKID,
        "LOGIN_RATE_LIMIT_IP_ATTEMPTS": "10000", "LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS": "10000",
        "GATEWAY_TOKEN_FAILURE_LIMIT": "0",
    ]

    var gateway: PlatformClient { cluster.gateway }

    /// Starts a cluster, sets the stage, runs `body`, and stops every process.
    static func with<Result>(
        overrides extra: [String: String] = [:], _ body: (HostileStage) async throws -> Result
    ) async throws -> Result {
        try await Drill.withCluster(overrides: overrides.merging(extra) { _, new in new }) { cluster in
            try await body(try await make(cluster))
        }
    }

    private static func make(_ cluster: PlatformCluster) async throws -> HostileStage {
        let admin = try await signIn(cluster, PlatformCluster.adminEmail, PlatformCluster.adminPassword, id: nil)
        func account(_ name: String, roles: [String]) async throws -> Account {
            let email = "\(name)@example.com"
            let id = try await cluster.register(email)
            if roles != ["USER"] {
                let reply = try await cluster.gateway.call(
                    .PUT, "/users/\(id)/roles", token: admin.token, json: ["roles": roles])
                guard reply.status == 200 else { throw TestSupportError("roles for \(email): \(reply.status)") }
            }
            return try await signIn(cluster, email, "password-\(email)", id: id)
        }
        let operatorAccount = try await account("operator", roles: ["OPERATOR"])
        let auditor = try await account("auditor", roles: ["AUDITOR"])
        let alice = try await account("alice", roles: ["USER"])
        let bob = try await account("bob", roles: ["USER"])
        let service = try await cluster.serviceToken(name: "hostile-game-server")

        let (activeEvent, rewards) = try await cluster.activeEvent(
            token: operatorAccount.token, title: "Level up once",
            conditions: [["type": "CUSTOM", "activityType": "LEVEL_UP", "aggregate": "count", "gte": 1]],
            rewards: [["type": "POINT", "name": "100 points", "amount": 100, "stock": 10]])
        let draft = try await cluster.gateway.call(
            .POST, "/events", token: operatorAccount.token,
            json: [
                "title": "Draft", "startAt": PlatformClient.iso(Date()),
                "endAt": PlatformClient.iso(Date().addingTimeInterval(86_400)),
                "conditions": [["type": "CONTINUOUS_LOGIN", "days": 1]],
            ])
        guard draft.status == 201, let draftEvent = draft.object["id"] as? String else {
            throw TestSupportError("draft event: \(draft.status)")
        }
        let levelUp = try await cluster.gateway.call(
            .POST, "/activities", token: service,
            json: ["userId": bob.id, "type": "LEVEL_UP", "occurredAt": PlatformClient.iso(Date()), "sourceId": "bob-1"])
        guard levelUp.status == 201 else { throw TestSupportError("activity: \(levelUp.status)") }
        let granted = try await cluster.gateway.call(.POST, "/events/\(activeEvent)/claims", token: bob.token)
        guard granted.status == 201, let bobClaim = granted.object["id"] as? String else {
            throw TestSupportError("bob's claim: \(granted.status) \(granted.text)")
        }
        let rejected = try await cluster.gateway.call(.POST, "/events/\(activeEvent)/claims", token: alice.token)
        guard rejected.status == 422,
            let aliceClaim = (rejected.object["error"] as? [String: Any]).flatMap({ $0["details"] as? [String: Any] })?[
                "claimId"] as? String
        else { throw TestSupportError("alice's claim: \(rejected.status) \(rejected.text)") }
        return HostileStage(
            cluster: cluster, admin: admin, operatorAccount: operatorAccount, auditor: auditor, alice: alice, bob: bob,
            service: service, activeEvent: activeEvent, draftEvent: draftEvent, bobClaim: bobClaim,
            aliceClaim: aliceClaim, reward: rewards[0])
    }

    /// Logs in through the gateway and keeps both tokens; reads the id from `/auth/me`
    /// when it is not known.
    static func signIn(
        _ cluster: PlatformCluster, _ email: String, _ password: String, id: String?
    ) async throws
        -> Account
    {
        let reply = try await cluster.gateway.call(.POST, "/auth/login", json: ["email": email, "password": password])
        guard reply.status == 200, let token = reply.object["accessToken"] as? String,
            let refresh = reply.object["refreshToken"] as? String
        else { throw TestSupportError("login \(email): \(reply.status)") }
        var userID = id
        if userID == nil {
            userID = try await cluster.gateway.call(.GET, "/auth/me", token: token).object["id"] as? String
        }
        guard let userID else { throw TestSupportError("no id for \(email)") }
        return Account(id: userID, email: email, token: token, refreshToken: refresh)
    }
}
