import Foundation
import MongoKit

@testable import EventService

/// Claims left PENDING as crashes leave them, written straight into the event database
/// with the service's own storage types: the work a retry worker must finish.
///
/// Claim `n` is stopped at one of three points, in turn: right after its insert (nothing
/// paid), after its stock unit was reserved, and after its first ledger entry was written
/// — the checkpoints of `ClaimCheckpoint`. Each is due at once (`leaseUntil` in the past)
/// with one attempt counted (the request's own).
enum StuckClaims {
    /// Inserts `count` stuck claims of `eventID` by fresh users.
    /// - Returns: The claims' ids.
    static func insert(count: Int, eventID: ObjectID, into database: MongoDatabase) async throws -> [ObjectID] {
        let events = database.collection(EventIndexes.Collection.events, withType: EventDocument.self)
        guard let event = try await events.findOne(["_id": .objectID(eventID)]) else {
            throw StuckClaimsError(description: "event \(eventID.hex) not found")
        }
        let now = Date()
        var claims: [ClaimDocument] = []
        for _ in 0..<count {
            claims.append(
                ClaimDocument(
                    id: ObjectID(), eventId: event.id, userId: ObjectID(), status: .pending, reason: nil,
                    grantLock: true,
                    progress: event.conditions.map {
                        ConditionProgress(type: $0.typeName, current: $0.required, required: $0.required, met: true)
                    },
                    activityIds: [], payout: event.rewards.map(plannedPayout), attempts: 1,
                    leaseUntil: now.addingTimeInterval(-60), createdAt: now.addingTimeInterval(-60),
                    updatedAt: now.addingTimeInterval(-60), grantedAt: nil))
        }
        // The partial payouts first, so no worker can take a claim before its state is complete.
        let stock = database.collection(EventIndexes.Collection.rewardStock)
        let ledger = database.collection(EventIndexes.Collection.ledger, withType: LedgerEntryDocument.self)
        for (index, claim) in claims.enumerated() where index % 3 != 0 {
            for entry in claim.payout where entry.stocked {
                try await stock.updateOne(
                    filter: ["_id": .objectID(entry.rewardId)],
                    update: ["$inc": ["remaining": .int(-1)], "$push": ["reservedBy": .objectID(claim.id)]])
            }
            if index % 3 == 2, let first = claim.payout.first {
                try await ledger.insertOne(LedgerEntryDocument(claim: claim, payout: first, grantedAt: now))
            }
        }
        try await database.collection(EventIndexes.Collection.claims, withType: ClaimDocument.self)
            .insertMany(claims)
        return claims.map(\.id)
    }

    /// The payout a claim plans for `reward`, as `ClaimProcessor` plans it.
    static func plannedPayout(_ reward: RewardDocument) -> PayoutEntry {
        PayoutEntry(
            rewardId: reward.id, type: reward.type, name: reward.name, amount: reward.amount,
            itemCode: reward.itemCode, quantity: reward.quantity,
            couponCode: reward.couponTemplate.map(CouponCode.mint(template:)), stocked: reward.stock != nil)
    }
}

/// The stage for stuck claims could not be set.
struct StuckClaimsError: Error, CustomStringConvertible {
    let description: String
}
