import MongoKit

/// The ledger: one entry per reward granted; the wallet is its sum.
protocol LedgerRepository: Sendable {
    /// Writes an entry; writing one that exists (same user, claim and reward) is harmless.
    /// - Throws: `MongoError` for anything but that duplicate.
    func record(_ entry: LedgerEntryDocument) async throws
    /// Runs the wallet aggregation of a user (one `aggregate`).
    func wallet(userID: ObjectID) async throws -> BSONDocument?
}

/// `LedgerRepository` on the `ledger` collection.
struct MongoLedgerRepository: LedgerRepository {
    let collection: MongoCollection<LedgerEntryDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.ledger, withType: LedgerEntryDocument.self)
    }

    func record(_ entry: LedgerEntryDocument) async throws {
        do {
            try await collection.insertOne(entry)
        } catch MongoError.duplicateKey(let index, _, _) where index == EventIndexes.ledgerUniqueEntry {
            return  // written by an earlier attempt
        } catch MongoError.duplicateKey(index: nil, _, _) {
            // The server did not name the index: make sure it is this entry that exists.
            let filter: BSONDocument = [
                "userId": .objectID(entry.userId), "claimId": .objectID(entry.claimId),
                "rewardId": .objectID(entry.rewardId),
            ]
            if try await collection.countDocuments(filter) > 0 { return }
            throw MongoError.duplicateKey(index: nil, key: nil, message: "ledger entry refused")
        }
    }

    func wallet(userID: ObjectID) async throws -> BSONDocument? {
        try await collection.aggregate(WalletPipeline.stages(userID: userID)).toArray().first
    }
}
