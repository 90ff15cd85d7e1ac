import MongoKit

/// Stock counters of stocked rewards (`rewardStock`), one document per reward.
///
/// A unit is taken with one `findAndModify` that also records the claim in `reservedBy`,
/// and only if the claim is not there yet: taking a unit is idempotent per claim, so a
/// retry after a crash between "unit taken" and "claim updated" takes no second unit.
protocol StockRepository: Sendable {
    /// Creates the counter of a new stocked reward (again: no change).
    func create(rewardID: ObjectID, eventID: ObjectID, stock: Int) async throws
    /// Takes a unit for `claimID`; `false` when none was taken (none left, or the claim
    /// already holds one — tell them apart with `isReserved`).
    func reserve(rewardID: ObjectID, claimID: ObjectID) async throws -> Bool
    /// Whether `claimID` holds a unit of the reward.
    func isReserved(rewardID: ObjectID, claimID: ObjectID) async throws -> Bool
    /// Gives back the unit `claimID` holds, if any.
    func release(rewardID: ObjectID, claimID: ObjectID) async throws
    /// Units left per reward of an event.
    func remaining(eventID: ObjectID) async throws -> [ObjectID: Int]
    /// Removes a counter whose reward was never added.
    func delete(rewardID: ObjectID) async throws
}

/// `StockRepository` on the `rewardStock` collection.
struct MongoStockRepository: StockRepository {
    let collection: MongoCollection<BSONDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.rewardStock)
    }

    func create(rewardID: ObjectID, eventID: ObjectID, stock: Int) async throws {
        let document = try BSONEncoder().encode(
            RewardStockDocument(id: rewardID, eventId: eventID, stock: stock, remaining: stock, reservedBy: []))
        do {
            try await collection.insertOne(document)
        } catch MongoError.duplicateKey {
            return
        }
    }

    func reserve(rewardID: ObjectID, claimID: ObjectID) async throws -> Bool {
        let taken = try await collection.findOneAndUpdate(
            filter: [
                "_id": .objectID(rewardID), "remaining": ["$gt": 0], "reservedBy": ["$ne": .objectID(claimID)],
            ],
            update: ["$inc": ["remaining": .int(-1)], "$push": ["reservedBy": .objectID(claimID)]],
            options: FindOneAndUpdateOptions(returnDocument: .after, projection: ["_id": 1]))
        return taken != nil
    }

    func isReserved(rewardID: ObjectID, claimID: ObjectID) async throws -> Bool {
        try await collection.countDocuments(["_id": .objectID(rewardID), "reservedBy": .objectID(claimID)]) > 0
    }

    func release(rewardID: ObjectID, claimID: ObjectID) async throws {
        try await collection.updateOne(
            filter: ["_id": .objectID(rewardID), "reservedBy": .objectID(claimID)],
            update: ["$inc": ["remaining": .int(1)], "$pull": ["reservedBy": .objectID(claimID)]])
    }

    func remaining(eventID: ObjectID) async throws -> [ObjectID: Int] {
        let documents = try await collection.find(
            ["eventId": .objectID(eventID)], options: FindOptions(projection: ["remaining": 1])
        ).toArray()
        var remaining: [ObjectID: Int] = [:]
        for document in documents {
            if let id = document["_id"]?.objectIDValue, let left = document["remaining"]?.intValue {
                remaining[id] = left
            }
        }
        return remaining
    }

    func delete(rewardID: ObjectID) async throws {
        try await collection.deleteOne(filter: ["_id": .objectID(rewardID)])
    }
}
