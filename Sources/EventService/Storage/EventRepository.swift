import Foundation
import MongoKit

/// The stored events (with their embedded reward definitions).
protocol EventRepository: Sendable {
    func insert(_ event: EventDocument) async throws
    func find(_ id: ObjectID) async throws -> EventDocument?
    /// A page of events matching `filter`, newest first, after the id `after`.
    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [EventDocument]
    /// Replaces the editable fields if the event is still as it was read (same status and
    /// `updatedAt`); returns the stored event, or `nil` when it changed meanwhile.
    func update(_ event: EventDocument, readAs previous: EventDocument) async throws -> EventDocument?
    /// Moves the event from `from` to `to`; `nil` when it is no longer in `from`.
    func setStatus(_ id: ObjectID, from: EventStatus, to: EventStatus, at: Date) async throws -> EventDocument?
    /// Appends a reward unless the event is COMPLETED; `nil` when it is (or is missing).
    func addReward(_ reward: RewardDocument, to id: ObjectID, at: Date) async throws -> EventDocument?
    /// Completes one ACTIVE event whose `endAt` has passed; returns it as it was before.
    func completeOneExpired(now: Date) async throws -> EventDocument?
}

/// `EventRepository` on the `events` collection.
struct MongoEventRepository: EventRepository {
    let collection: MongoCollection<EventDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.events, withType: EventDocument.self)
    }

    func insert(_ event: EventDocument) async throws {
        try await collection.insertOne(event)
    }

    func find(_ id: ObjectID) async throws -> EventDocument? {
        try await collection.findOne(["_id": .objectID(id)])
    }

    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [EventDocument] {
        try await collection.find(
            Paging.filter(filter, after: after),
            options: FindOptions(sort: ["_id": -1], limit: limit)
        ).toArray()
    }

    func update(_ event: EventDocument, readAs previous: EventDocument) async throws -> EventDocument? {
        try await collection.findOneAndUpdate(
            filter: [
                "_id": .objectID(previous.id), "status": .string(previous.status.rawValue),
                "updatedAt": .datetime(previous.updatedAt),
            ],
            update: [
                "$set": [
                    "title": .string(event.title), "description": .string(event.description),
                    "startAt": .datetime(event.startAt), "endAt": .datetime(event.endAt),
                    "timezone": .string(event.timezone),
                    "conditions": try BSONEncoder().encodeValue(event.conditions),
                    "updatedAt": .datetime(event.updatedAt),
                ]
            ],
            options: FindOneAndUpdateOptions(returnDocument: .after))
    }

    func setStatus(_ id: ObjectID, from: EventStatus, to: EventStatus, at: Date) async throws -> EventDocument? {
        try await collection.findOneAndUpdate(
            filter: ["_id": .objectID(id), "status": .string(from.rawValue)],
            update: ["$set": ["status": .string(to.rawValue), "updatedAt": .datetime(at)]],
            options: FindOneAndUpdateOptions(returnDocument: .after))
    }

    func addReward(_ reward: RewardDocument, to id: ObjectID, at: Date) async throws -> EventDocument? {
        try await collection.findOneAndUpdate(
            filter: ["_id": .objectID(id), "status": ["$ne": .string(EventStatus.completed.rawValue)]],
            update: [
                "$push": ["rewards": try BSONEncoder().encodeValue(reward)],
                "$set": ["updatedAt": .datetime(at)],
            ],
            options: FindOneAndUpdateOptions(returnDocument: .after))
    }

    func completeOneExpired(now: Date) async throws -> EventDocument? {
        try await collection.findOneAndUpdate(
            filter: ["status": .string(EventStatus.active.rawValue), "endAt": ["$lte": .datetime(now)]],
            update: ["$set": ["status": .string(EventStatus.completed.rawValue), "updatedAt": .datetime(now)]],
            options: FindOneAndUpdateOptions(returnDocument: .before, sort: ["endAt": 1]))
    }
}

/// Keyset paging shared by every list: newest first by `_id`.
enum Paging {
    /// `filter` restricted to documents older than `after`.
    static func filter(_ filter: BSONDocument, after: ObjectID?) -> BSONDocument {
        guard let after else { return filter }
        var restricted = filter
        restricted.append("_id", ["$lt": .objectID(after)])
        return restricted
    }
}
