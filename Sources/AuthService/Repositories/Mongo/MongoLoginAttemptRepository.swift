import HTTPTypes
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `LoginAttemptRepository` over the `loginAttempts` collection: one document per key,
/// `{_id: key, count, windowStart, expiresAt}`.
struct MongoLoginAttemptRepository: LoginAttemptRepository {
    let collection: MongoCollection<BSONDocument>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.loginAttempts)
    }

    /// Two atomic steps, retried while other replicas race: count into a live window, or
    /// else replace an expired counter (or insert the first) with a fresh window. An
    /// insert that loses to a concurrent one fails on `_id` and counts into the winner's.
    func increment(key: String, now: Date, windowSeconds: Int) async throws -> LoginAttemptCounter {
        let windowEnd = now.addingTimeInterval(TimeInterval(max(1, windowSeconds)))
        for _ in 0..<8 {
            if let live = try await collection.findOneAndUpdate(
                filter: ["_id": .string(key), "expiresAt": ["$gt": .datetime(now)]],
                update: ["$inc": ["count": .int64(1)]],
                options: FindOneAndUpdateOptions(returnDocument: .after)
            ), let counter = Self.counter(live) {
                return counter
            }
            do {
                let opened = try await collection.findOneAndUpdate(
                    filter: ["_id": .string(key), "expiresAt": ["$lte": .datetime(now)]],
                    update: [
                        "$set": [
                            "count": .int64(1), "windowStart": .datetime(now), "expiresAt": .datetime(windowEnd),
                        ]
                    ],
                    options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true)
                )
                if let opened, let counter = Self.counter(opened) { return counter }
            } catch MongoError.duplicateKey {
                continue  // another replica opened the window first
            }
        }
        throw APIError(.serviceUnavailable, message: "Login counters are busy; try again.", headers: [.retryAfter: "1"])
    }

    func decrement(key: String, windowStart: Date) async throws {
        try await collection.updateOne(
            filter: ["_id": .string(key), "windowStart": .datetime(windowStart), "count": ["$gt": .int64(0)]],
            update: ["$inc": ["count": .int64(-1)]]
        )
    }

    func reset(key: String, windowStart: Date) async throws {
        try await collection.deleteOne(filter: ["_id": .string(key), "windowStart": .datetime(windowStart)])
    }

    private static func counter(_ document: BSONDocument) -> LoginAttemptCounter? {
        guard let count = document["count"]?.intValue,
            let start = document["windowStart"]?.dateValue,
            let end = document["expiresAt"]?.dateValue
        else { return nil }
        return LoginAttemptCounter(count: count, windowStart: start, windowEnd: end)
    }
}
