import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `OutboxRepository` over the `outbox` collection.
struct MongoOutboxRepository: OutboxRepository {
    let collection: MongoCollection<OutboxRecord>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.outbox, withType: OutboxRecord.self)
    }

    func insert(_ record: OutboxRecord) async throws {
        try await collection.insertOne(record)
    }

    func lease(owner: String, now: Date, until: Date) async throws -> OutboxRecord? {
        try await collection.findOneAndUpdate(
            filter: ["status": .string(OutboxRecord.Status.pending.rawValue), "leaseUntil": ["$lte": .datetime(now)]],
            update: [
                "$set": ["leaseOwner": .string(owner), "leaseUntil": .datetime(until)],
                "$inc": ["attempts": .int64(1)],
            ],
            options: FindOneAndUpdateOptions(returnDocument: .after, sort: ["leaseUntil": 1, "_id": 1])
        )
    }

    func markDelivered(_ ids: [ObjectID], owner: String, now: Date, purgeAt: Date) async throws {
        guard !ids.isEmpty else { return }
        try await collection.updateMany(
            filter: held(ids, by: owner),
            update: [
                "$set": [
                    "status": .string(OutboxRecord.Status.delivered.rawValue), "deliveredAt": .datetime(now),
                    "purgeAt": .datetime(purgeAt),
                ],
                "$unset": ["leaseOwner": "", "lastError": ""],
            ]
        )
    }

    func reschedule(_ id: ObjectID, owner: String, retryAt: Date, error: String) async throws {
        try await collection.updateOne(
            filter: held([id], by: owner),
            update: [
                "$set": ["leaseUntil": .datetime(retryAt), "lastError": .string(error)],
                "$unset": ["leaseOwner": ""],
            ]
        )
    }

    func markFailed(_ ids: [ObjectID], owner: String, now: Date, error: String) async throws {
        guard !ids.isEmpty else { return }
        try await collection.updateMany(
            filter: held(ids, by: owner),
            update: [
                "$set": ["status": .string(OutboxRecord.Status.failed.rawValue), "lastError": .string(error)],
                "$unset": ["leaseOwner": ""],
            ]
        )
    }

    private func held(_ ids: [ObjectID], by owner: String) -> BSONDocument {
        [
            "_id": ["$in": .array(ids.map(BSON.objectID))],
            "leaseOwner": .string(owner),
            "status": .string(OutboxRecord.Status.pending.rawValue),
        ]
    }
}
