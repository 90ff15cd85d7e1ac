import MongoKit

/// The stored activities.
protocol ActivityRepository: Sendable {
    /// Activities a source already recorded under these `sourceId`s, by `"<userId>|<sourceId>"`.
    func existing(subject: String, keys: [ActivitySourceKey]) async throws -> [ActivitySourceKey: ObjectID]
    /// Inserts the activities, continuing past duplicates of `activities_source`.
    /// - Returns: Whether any was refused as such a duplicate (a concurrent delivery).
    func insert(_ activities: [ActivityDocument]) async throws -> Bool
}

/// The idempotency key of an activity within one source.
struct ActivitySourceKey: Hashable, Sendable {
    var userID: ObjectID
    var sourceID: String
}

/// `ActivityRepository` on the `activities` collection.
struct MongoActivityRepository: ActivityRepository {
    let collection: MongoCollection<ActivityDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.activities, withType: ActivityDocument.self)
    }

    func existing(subject: String, keys: [ActivitySourceKey]) async throws -> [ActivitySourceKey: ObjectID] {
        guard !keys.isEmpty else { return [:] }
        let filter: BSONDocument = [
            "recordedBy.subject": .string(subject),
            "userId": ["$in": .array(Array(Set(keys.map(\.userID))).map(BSON.objectID))],
            "sourceId": ["$in": .array(Array(Set(keys.map(\.sourceID))).map(BSON.string))],
        ]
        let found = try await collection.withType(BSONDocument.self).find(
            filter, options: FindOptions(projection: ["userId": 1, "sourceId": 1])
        ).toArray()
        var result: [ActivitySourceKey: ObjectID] = [:]
        for document in found {
            guard let id = document["_id"]?.objectIDValue, let user = document["userId"]?.objectIDValue,
                let source = document["sourceId"]?.stringValue
            else { continue }
            result[ActivitySourceKey(userID: user, sourceID: source)] = id
        }
        return result
    }

    func insert(_ activities: [ActivityDocument]) async throws -> Bool {
        guard !activities.isEmpty else { return false }
        do {
            try await collection.insertMany(activities, ordered: false)
            return false
        } catch MongoError.duplicateKey(let index, _, _)
            where index == nil || index == EventIndexes.activitiesUniqueSource
        {
            return true
        }
    }
}
