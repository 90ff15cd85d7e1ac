import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `LoginAttemptRepository` over the `loginAttempts` collection: one document per key and
/// window, `_id` = `key|windowStart(ms)`, `{key, count, windowStart, expiresAt}`.
struct MongoLoginAttemptRepository: LoginAttemptRepository {
    let collection: MongoCollection<BSONDocument>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.loginAttempts)
    }

    func increment(key: String, windowStart: Date, windowEnd: Date) async throws -> Int {
        let id = Self.id(key: key, windowStart: windowStart)
        let update: BSONDocument = [
            "$inc": ["count": .int64(1)],
            "$setOnInsert": [
                "key": .string(key), "windowStart": .datetime(windowStart), "expiresAt": .datetime(windowEnd),
            ],
        ]
        let options = FindOneAndUpdateOptions(returnDocument: .after, upsert: true)
        let counter: BSONDocument?
        do {
            counter = try await collection.findOneAndUpdate(
                filter: ["_id": .string(id)], update: update, options: options)
        } catch MongoError.duplicateKey {
            // Two first attempts raced to insert the counter; the loser's retry updates it.
            counter = try await collection.findOneAndUpdate(
                filter: ["_id": .string(id)], update: update, options: options)
        }
        return counter?["count"]?.intValue ?? 1
    }

    func decrement(key: String, windowStart: Date) async throws {
        try await collection.updateOne(
            filter: ["_id": .string(Self.id(key: key, windowStart: windowStart)), "count": ["$gt": .int64(0)]],
            update: ["$inc": ["count": .int64(-1)]]
        )
    }

    func reset(key: String, windowStart: Date) async throws {
        try await collection.deleteOne(filter: ["_id": .string(Self.id(key: key, windowStart: windowStart))])
    }

    private static func id(key: String, windowStart: Date) -> String {
        "\(key)|\(Int64((windowStart.timeIntervalSince1970 * 1000).rounded()))"
    }
}
