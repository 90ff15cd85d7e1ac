import EventService
import Foundation
import MongoKit
import TestSupport
import Testing

/// mongo-init/ creates, on a fresh docker-compose volume, exactly the indexes the services
/// create at start, plus the auditors' views — and those views work.
@Suite(.serialized) struct MongoInitTests {
    private static let storageFile = MongoTestEndpoint.repositoryRoot.appendingPathComponent("mongo-init/storage.json")

    private func storageSpecOutput() async throws -> String {
        let command = try PlatformProcess(["storage-spec"], environment: [:])
        #expect(try await command.waitForExit() == 0)
        return command.lines.joined(separator: "\n")
    }

    @Test func storageJSONIsWhatTheServicesDefine() async throws {
        let committed = try String(contentsOf: Self.storageFile, encoding: .utf8)
        let generated = try await storageSpecOutput()
        #expect(
            committed.trimmingCharacters(in: .whitespacesAndNewlines)
                == generated.trimmingCharacters(in: .whitespacesAndNewlines),
            "mongo-init/storage.json is stale: run `swift run event-reward storage-spec > mongo-init/storage.json`")
        #expect(generated.contains("claims_user_event_grant"))
        #expect(generated.contains("claim_report") && generated.contains("wallet_balances"))
    }

    @Test func theAuditorViewsAnswerOnStoredClaims() async throws {
        try await withTestDatabase { database in
            let eventID = ObjectID()
            let userID = ObjectID()
            let claimID = ObjectID()
            let rewardID = ObjectID()
            let now = Date(timeIntervalSince1970: 1_764_000_000)
            try await database.collection("events").insertOne([
                "_id": .objectID(eventID), "title": "Seven-day login",
                "rewards": [
                    ["_id": .objectID(rewardID), "type": "POINT", "name": "500 points", "amount": .int64(500)]
                ],
            ])
            try await database.collection("claims").insertOne([
                "_id": .objectID(claimID), "eventId": .objectID(eventID), "userId": .objectID(userID),
                "status": "GRANTED",
                "payout": [["rewardId": .objectID(rewardID), "type": "POINT", "name": "500 points"]],
                "progress": [], "activityIds": [], "attempts": .int64(1), "createdAt": .datetime(now),
                "updatedAt": .datetime(now), "grantedAt": .datetime(now),
            ])
            try await database.collection("ledger").insertMany([
                [
                    "userId": .objectID(userID), "claimId": .objectID(claimID), "rewardId": .objectID(rewardID),
                    "type": "POINT", "name": "500 points", "amount": .int64(500), "grantedAt": .datetime(now),
                ],
                [
                    "userId": .objectID(userID), "claimId": .objectID(ObjectID()), "rewardId": .objectID(ObjectID()),
                    "type": "COUPON", "name": "Coupon", "couponCode": "WELCOME-1", "grantedAt": .datetime(now),
                ],
            ])
            // The same definitions storage.json holds (the test above checks that).
            for view in EventStorage.views {
                try await database.createView(view.name, on: view.source, pipeline: view.pipeline)
            }
            let report = try await database.collection("claim_report").find().toArray()
            #expect(report.count == 1)
            #expect(report.first?["eventTitle"] == "Seven-day login")
            #expect(report.first?["grantedRewards"] == ["500 points"])
            let balances = try await database.collection("wallet_balances").find().toArray()
            #expect(balances.count == 1)
            #expect(balances.first?["points"]?.intValue == 500)
            #expect(balances.first?["coupons"]?.intValue == 1)
        }
    }
}
