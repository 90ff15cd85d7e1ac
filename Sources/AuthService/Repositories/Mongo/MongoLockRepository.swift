import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `LockRepository` over the `locks` collection: `{_id: name, owner, leaseUntil, expiresAt}`.
struct MongoLockRepository: LockRepository {
    let collection: MongoCollection<BSONDocument>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.locks)
    }

    func acquire(_ name: String, owner: String, now: Date, until: Date) async throws -> Bool {
        do {
            // Matches only a free lock; a held one makes the upsert collide on `_id`.
            let lock = try await collection.findOneAndUpdate(
                filter: ["_id": .string(name), "leaseUntil": ["$lte": .datetime(now)]],
                update: [
                    "$set": [
                        "owner": .string(owner), "leaseUntil": .datetime(until),
                        "expiresAt": .datetime(until.addingTimeInterval(3600)),
                    ]
                ],
                options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true)
            )
            return lock?["owner"]?.stringValue == owner
        } catch MongoError.duplicateKey {
            return false
        }
    }

    func release(_ name: String, owner: String) async throws {
        try await collection.deleteOne(filter: ["_id": .string(name), "owner": .string(owner)])
    }
}
