import Foundation
import MongoKit

/// The stored claims. Every change of status is conditional on `status: PENDING`, so of
/// two replicas working the same claim only one decides.
protocol ClaimRepository: Sendable {
    /// Inserts a new claim.
    /// - Throws: `MongoError.duplicateKey` (index `claims_user_event_grant`) when the user
    ///   already holds the grant of the event.
    func insert(_ claim: ClaimDocument) async throws
    func find(_ id: ObjectID) async throws -> ClaimDocument?
    /// The claim holding the user's grant of the event, if any.
    func findGrantHolder(userID: ObjectID, eventID: ObjectID) async throws -> ClaimDocument?
    /// A page of claims matching `filter`, newest first.
    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [ClaimDocument]
    /// PENDING → GRANTED; `false` when the claim was no longer PENDING.
    func markGranted(_ id: ObjectID, at: Date) async throws -> Bool
    /// PENDING → REJECTED/OUT_OF_STOCK, releasing the grant lock and the planned payout.
    func markOutOfStock(_ id: ObjectID, at: Date) async throws -> Bool
    /// PENDING → FAILED (the grant lock stays: part of the payout may exist).
    func markFailed(_ id: ObjectID, at: Date) async throws -> Bool
    /// FAILED → PENDING with a fresh attempt budget (`attempts` 1), leased until
    /// `leaseUntil` for the caller's attempt. `nil` when the claim is not FAILED.
    func reopenFailed(_ id: ObjectID, now: Date, leaseUntil: Date) async throws -> ClaimDocument?
    /// Lets the next attempt of a PENDING claim start at `retryAt`.
    func scheduleRetry(_ id: ObjectID, at retryAt: Date, now: Date) async throws
    /// Takes the PENDING claim whose lease expired longest ago: leases it until
    /// `leaseUntil` and counts the attempt. `nil` when none is due.
    func takeDue(now: Date, leaseUntil: Date) async throws -> ClaimDocument?
    /// Whether the event has a PENDING, GRANTED or FAILED claim.
    func hasGrants(eventID: ObjectID) async throws -> Bool
}

/// `ClaimRepository` on the `claims` collection.
struct MongoClaimRepository: ClaimRepository {
    let collection: MongoCollection<ClaimDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.claims, withType: ClaimDocument.self)
    }

    private static let pending: BSON = .string(ClaimStatus.pending.rawValue)

    func insert(_ claim: ClaimDocument) async throws {
        try await collection.insertOne(claim)
    }

    func find(_ id: ObjectID) async throws -> ClaimDocument? {
        try await collection.findOne(["_id": .objectID(id)])
    }

    func findGrantHolder(userID: ObjectID, eventID: ObjectID) async throws -> ClaimDocument? {
        try await collection.findOne(["userId": .objectID(userID), "eventId": .objectID(eventID), "grantLock": true])
    }

    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [ClaimDocument] {
        try await collection.find(
            Paging.filter(filter, after: after), options: FindOptions(sort: ["_id": -1], limit: limit)
        ).toArray()
    }

    func markGranted(_ id: ObjectID, at: Date) async throws -> Bool {
        let result = try await collection.updateOne(
            filter: ["_id": .objectID(id), "status": Self.pending],
            update: [
                "$set": [
                    "status": .string(ClaimStatus.granted.rawValue), "grantedAt": .datetime(at),
                    "updatedAt": .datetime(at),
                ],
                "$unset": ["leaseUntil": ""],
            ])
        return result.matchedCount > 0
    }

    func markOutOfStock(_ id: ObjectID, at: Date) async throws -> Bool {
        let result = try await collection.updateOne(
            filter: ["_id": .objectID(id), "status": Self.pending],
            update: [
                "$set": [
                    "status": .string(ClaimStatus.rejected.rawValue),
                    "reason": .string(ClaimReason.outOfStock.rawValue), "payout": [], "updatedAt": .datetime(at),
                ],
                "$unset": ["grantLock": "", "leaseUntil": ""],
            ])
        return result.matchedCount > 0
    }

    func markFailed(_ id: ObjectID, at: Date) async throws -> Bool {
        let result = try await collection.updateOne(
            filter: ["_id": .objectID(id), "status": Self.pending],
            update: [
                "$set": ["status": .string(ClaimStatus.failed.rawValue), "updatedAt": .datetime(at)],
                "$unset": ["leaseUntil": ""],
            ])
        return result.matchedCount > 0
    }

    func reopenFailed(_ id: ObjectID, now: Date, leaseUntil: Date) async throws -> ClaimDocument? {
        try await collection.findOneAndUpdate(
            filter: ["_id": .objectID(id), "status": .string(ClaimStatus.failed.rawValue)],
            update: [
                "$set": [
                    "status": Self.pending, "attempts": .int(1), "leaseUntil": .datetime(leaseUntil),
                    "updatedAt": .datetime(now),
                ]
            ],
            options: FindOneAndUpdateOptions(returnDocument: .after))
    }

    func scheduleRetry(_ id: ObjectID, at retryAt: Date, now: Date) async throws {
        try await collection.updateOne(
            filter: ["_id": .objectID(id), "status": Self.pending],
            update: ["$set": ["leaseUntil": .datetime(retryAt), "updatedAt": .datetime(now)]])
    }

    func takeDue(now: Date, leaseUntil: Date) async throws -> ClaimDocument? {
        try await collection.findOneAndUpdate(
            filter: ["status": Self.pending, "leaseUntil": ["$lte": .datetime(now)]],
            update: [
                "$set": ["leaseUntil": .datetime(leaseUntil), "updatedAt": .datetime(now)],
                "$inc": ["attempts": .int(1)],
            ],
            options: FindOneAndUpdateOptions(returnDocument: .after, sort: ["leaseUntil": 1]))
    }

    func hasGrants(eventID: ObjectID) async throws -> Bool {
        try await collection.countDocuments(["eventId": .objectID(eventID), "grantLock": true]) > 0
    }
}
