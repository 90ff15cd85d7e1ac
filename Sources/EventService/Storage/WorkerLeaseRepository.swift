import Foundation
import MongoKit

/// Named leases in `workerLeases` (`{_id: name, owner, leaseUntil}`): at most one replica
/// holds a lease at a time; a dead holder's lease expires.
protocol WorkerLeaseRepository: Sendable {
    /// Takes or renews lease `name` for `owner` until `until`; `false` while another
    /// owner holds an unexpired lease.
    func acquire(_ name: String, owner: String, until: Date, now: Date) async throws -> Bool
}

/// `WorkerLeaseRepository` on the `workerLeases` collection.
struct MongoWorkerLeaseRepository: WorkerLeaseRepository {
    let collection: MongoCollection<BSONDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.workerLeases)
    }

    func acquire(_ name: String, owner: String, until: Date, now: Date) async throws -> Bool {
        do {
            let lease = try await collection.findOneAndUpdate(
                filter: [
                    "_id": .string(name),
                    "$or": [["leaseUntil": ["$lte": .datetime(now)]], ["owner": .string(owner)]],
                ],
                update: ["$set": ["owner": .string(owner), "leaseUntil": .datetime(until)]],
                options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true))
            return lease?["owner"]?.stringValue == owner
        } catch MongoError.duplicateKey {
            return false  // held by another replica: the upsert's insert collided with it
        }
    }
}
