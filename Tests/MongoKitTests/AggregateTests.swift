import Foundation
import MongoKit
import TestSupport
import Testing

@Suite struct AggregateTests {
    @Test func aFacetComputesSeveralResultsInOneCommand() async throws {
        let pool = try await makeTestPool()
        let database = pool.database(uniqueDatabaseName())
        let activities = database.collection("activities")
        let start = Date(timeIntervalSince1970: 1_700_000_000)
        try await activities.insertMany([
            ["userId": "u1", "type": "LOGIN", "occurredAt": .datetime(start)],
            ["userId": "u1", "type": "LOGIN", "occurredAt": .datetime(start.addingTimeInterval(86_400))],
            [
                "userId": "u1", "type": "FRIEND_INVITE", "attributes": ["inviteeId": "a"],
                "occurredAt": .datetime(start),
            ],
            [
                "userId": "u1", "type": "FRIEND_INVITE", "attributes": ["inviteeId": "a"],
                "occurredAt": .datetime(start),
            ],
            [
                "userId": "u1", "type": "FRIEND_INVITE", "attributes": ["inviteeId": "b"],
                "occurredAt": .datetime(start),
            ],
            ["userId": "u2", "type": "LOGIN", "occurredAt": .datetime(start)],
        ])
        let pipeline: [BSONDocument] = [
            ["$match": ["userId": "u1", "type": ["$in": ["LOGIN", "FRIEND_INVITE"]]]],
            [
                "$facet": [
                    "logins": [["$match": ["type": "LOGIN"]], ["$count": "n"]],
                    "invitees": [
                        ["$match": ["type": "FRIEND_INVITE"]],
                        ["$group": ["_id": .null, "ids": ["$addToSet": "$attributes.inviteeId"]]],
                        ["$project": ["_id": 0, "n": ["$size": "$ids"]]],
                    ],
                ]
            ],
        ]
        let results = try await activities.aggregate(pipeline).toArray()
        #expect(results.count == 1)
        let facet = try #require(results.first)
        #expect(facet["logins"]?.arrayValue?.first?.documentValue?["n"]?.intValue == 2)
        #expect(facet["invitees"]?.arrayValue?.first?.documentValue?["n"]?.intValue == 2)
        if MongoTestEndpoint.usesDouble {
            #expect(
                try await doubleCommandLog(pool: pool, database: database.name).filter { $0 == "aggregate" }.count == 1)
        }
        try await database.drop()
        await pool.close()
    }

    @Test func aggregateResultsDecodeIntoATypeAndPage() async throws {
        struct Total: Codable, Equatable { var _id: String; var total: Int }
        try await withTestDatabase { database in
            let ledger = database.collection("ledger")
            try await ledger.insertMany((0..<300).map { ["userId": .string("u\($0 % 3)"), "points": .int64(10)] })
            let totals = try await ledger.aggregate(
                [["$group": ["_id": "$userId", "total": ["$sum": "$points"]]], ["$sort": ["_id": 1]]],
                as: Total.self, batchSize: 2
            ).toArray()
            #expect(
                totals == [
                    Total(_id: "u0", total: 1_000), Total(_id: "u1", total: 1_000), Total(_id: "u2", total: 1_000),
                ])
        }
    }

    @Test func anUnknownStageFailsLoudly() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("x")
            try await collection.insertOne(["a": 1])
            await #expect(throws: MongoError.self) {
                try await collection.aggregate([["$noSuchStage": [:]]]).toArray()
            }
        }
    }
}
