import MongoKit
import TestSupport
import Testing

@Suite struct ConcurrencyTests {
    @Test func thirtyTwoConcurrentInsertsAgainstAPartialUniqueIndexAdmitExactlyOne() async throws {
        try await withTestDatabase(maxPoolSize: 16) { database in
            let claims = database.collection("claims")
            try await claims.createIndexes([
                IndexModel(
                    keys: ["userId": 1, "eventId": 1], name: "one_active_claim", unique: true,
                    partialFilterExpression: ["active": true])
            ])
            // Documents outside the filter never collide.
            try await claims.insertMany([
                ["userId": "u", "eventId": "e", "status": "REJECTED"],
                ["userId": "u", "eventId": "e", "status": "REJECTED"],
            ])
            let outcomes = try await withThrowingTaskGroup(of: Result<Void, MongoError>.self) { group in
                for attempt in 0..<32 {
                    group.addTask {
                        do {
                            try await claims.insertOne([
                                "userId": "u", "eventId": "e", "status": "PENDING", "active": true,
                                "attempt": .int32(Int32(attempt)),
                            ])
                            return .success(())
                        } catch let error as MongoError {
                            return .failure(error)
                        }
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            let successes = outcomes.filter { if case .success = $0 { true } else { false } }
            let duplicates = outcomes.filter {
                if case .failure(.duplicateKey(let index, _, _)) = $0 { index == "one_active_claim" } else { false }
            }
            #expect(successes.count == 1)
            #expect(duplicates.count == 31)
            #expect(try await claims.countDocuments(["active": true]) == 1)
        }
    }

    @Test func twentyConcurrentReservationsOfSevenUnitsSucceedExactlySevenTimes() async throws {
        try await withTestDatabase(maxPoolSize: 16) { database in
            let rewards = database.collection("rewards")
            try await rewards.insertOne(["_id": "r", "stock": .int64(7)])
            let taken = try await withThrowingTaskGroup(of: Bool.self) { group in
                for _ in 0..<20 {
                    group.addTask {
                        let reserved = try await rewards.findOneAndUpdate(
                            filter: ["_id": "r", "stock": ["$gt": 0]], update: ["$inc": ["stock": .int64(-1)]],
                            options: FindOneAndUpdateOptions(returnDocument: .after))
                        return reserved != nil
                    }
                }
                return try await group.reduce(0) { $0 + ($1 ? 1 : 0) }
            }
            #expect(taken == 7)
            let final = try #require(try await rewards.findOne(["_id": "r"]))
            #expect(final["stock"] == .int64(0))
        }
    }

    @Test func manyMoreConcurrentOperationsThanConnectionsAllComplete() async throws {
        try await withTestDatabase(maxPoolSize: 2) { database in
            let collection = database.collection("queue")
            try await withThrowingTaskGroup(of: Void.self) { group in
                for index in 0..<64 {
                    group.addTask { try await collection.insertOne(["i": .int32(Int32(index))]) }
                }
                try await group.waitForAll()
            }
            #expect(try await collection.countDocuments() == 64)
        }
    }
}
