import Foundation
import MongoKit
import NIOHTTP1
import PlatformCore
import TestSupport
import Testing

/// Hostile input through the gateway of the three real processes (issue 8): operator
/// injection in every body field, query parameter and path id of the routed operations,
/// BOLA, mass assignment, 10,000-deep JSON, 2 MiB bodies, invalid UTF-8, NUL bytes,
/// numbers past every range, forged and replayed cursors, and hostile `X-Request-Id`
/// values. Each answer has its exact status and envelope and is never a 5xx; afterwards
/// the stored state is what the stage set up and nothing more, and the platform's
/// invariants hold.
@Suite(.serialized) struct AttackTableTests {
    @Test func everyAttackGetsItsStatusAndChangesNothing() async throws {
        let contract = try InjectionCases.contract()
        try await HostileStage.with { stage in
            Self.expectTheTablesCoverTheContract(contract, stage: stage)
            var outcome = try await stage.run(
                InjectionCases.bodyCases(stage) + InjectionCases.queryCases(stage, contract: contract)
                    + InjectionCases.pathCases(stage, contract: contract) + InjectionCases.literalCases(stage)
                    + AccessCases.bola(stage) + AccessCases.massAssignment(stage) + MalformedCases.bodies(stage)
                    + MalformedCases.numbers(stage))
            // Cursors last: they replay pages of claims the cases above created.
            outcome.absorb(try await stage.run(try await MalformedCases.cursors(stage)))
            let gatewayPort = stage.cluster.ports[.gateway]!
            try await HeaderCases.run(HeaderCases.requestID(), port: gatewayPort, into: &outcome)
            // The refused messages closed their connections only: the gateway still serves.
            #expect(try await stage.gateway.call(.GET, "/health").status == 200)

            print(outcome.summary("attack-table"))
            #expect(outcome.serverErrors == 0)
            #expect(outcome.passed == outcome.cases)
            try await Self.expectStoredStateUnchanged(stage)
            try await InvariantChecker(cluster: stage.cluster).check()
        }
    }

    /// Every routed JSON operation has a body in the injection table, and every query
    /// parameter an expected answer, so a new operation cannot slip past the table.
    static func expectTheTablesCoverTheContract(_ contract: APIContract, stage: HostileStage) {
        let routed = InjectionCases.routedOperations(contract)
        let withJSONBody = routed.filter { operation in
            operation.requestBody?.content.contains { $0.mediaType == "application/json" } ?? false
        }
        let covered = Set(InjectionCases.bodies(stage).map(\.operationID))
        #expect(Set(withJSONBody.map(\.operationID)) == covered)
        let parameters = Set(routed.flatMap { $0.parameters.filter { $0.location == "query" }.map(\.name) })
        #expect(parameters.isSubset(of: InjectionCases.knownQueryParameters), "\(parameters)")
    }

    /// What the API and the databases hold after the tables: the stage's accounts with
    /// their roles only, its events untouched, Bob's one grant, no stray service client or
    /// activity.
    static func expectStoredStateUnchanged(_ stage: HostileStage) async throws {
        let gateway = stage.gateway
        let users = try await gateway.call(.GET, "/users?limit=100", token: stage.admin.token).items
        var roles: [String: [String]] = [:]
        for user in users { roles[user["email"] as? String ?? "?"] = user["roles"] as? [String] }
        #expect(
            roles == [
                PlatformCluster.adminEmail: ["ADMIN"], stage.operatorAccount.email: ["OPERATOR"],
                stage.auditor.email: ["AUDITOR"], stage.alice.email: ["USER"], stage.bob.email: ["USER"],
                "literal@example.com": ["USER"],
            ])

        let active = try await gateway.call(.GET, "/events/\(stage.activeEvent)", token: stage.operatorAccount.token)
        #expect(active.object["status"] as? String == "ACTIVE")
        #expect(active.object["title"] as? String == "Level up once")
        #expect(active.object["createdBy"] as? String == stage.operatorAccount.id)
        let rewards = active.object["rewards"] as? [[String: Any]] ?? []
        #expect(rewards.count == 1 && rewards.first?["remainingStock"] as? Int == 9)
        let draft = try await gateway.call(.GET, "/events/\(stage.draftEvent)", token: stage.operatorAccount.token)
        #expect(draft.object["status"] as? String == "DRAFT")
        #expect((draft.object["rewards"] as? [Any])?.isEmpty == true)
        let events = try await gateway.call(.GET, "/events?limit=100", token: stage.operatorAccount.token).items
        // The two of the stage and the one whose NUL survived the round trip to MongoDB.
        #expect(events.count == 3)
        #expect(events.contains { $0["title"] as? String == "nul\u{0}title" })

        let bobClaims = try await gateway.call(.GET, "/claims?userId=\(stage.bob.id)", token: stage.auditor.token).items
        #expect(bobClaims.map { $0["status"] as? String } == ["GRANTED"])
        let aliceClaims = try await gateway.call(.GET, "/claims/me", token: stage.alice.token).items
        #expect(aliceClaims.count == 2 && aliceClaims.allSatisfy { $0["status"] as? String == "REJECTED" })
        let wallet = try await gateway.call(.GET, "/wallet/me", token: stage.bob.token)
        #expect(wallet.object["points"] as? Int == 100)
        // Alice's logout of Bob's refresh token was ignored.
        let refreshed = try await gateway.call(
            .POST, "/auth/refresh", json: ["refreshToken": stage.bob.refreshToken])
        #expect(refreshed.status == 200)

        try await InvariantChecker(cluster: stage.cluster).withDatabases { event, auth in
            #expect(try await auth.collection("serviceClients").countDocuments() == 1)
            let activities = try await event.collection("activities").countDocuments(["type": ["$ne": "LOGIN"]])
            #expect(activities == 1)
        }
    }
}
