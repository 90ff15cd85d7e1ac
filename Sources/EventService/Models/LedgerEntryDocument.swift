import Foundation
import MongoKit

/// One grant in `ledger`: what one reward of one claim gave one user. Unique on
/// `{userId, claimId, rewardId}`, so writing it again is harmless. The wallet is the sum
/// of a user's entries.
struct LedgerEntryDocument: Codable, Sendable, Hashable {
    var id: ObjectID
    var userId: ObjectID
    var claimId: ObjectID
    var eventId: ObjectID
    var rewardId: ObjectID
    var type: RewardType
    var name: String
    var amount: Int?
    var itemCode: String?
    var quantity: Int?
    var couponCode: String?
    var grantedAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case userId, claimId, eventId, rewardId, type, name, amount, itemCode, quantity, couponCode, grantedAt
    }

    /// The entry of `payout` for `claim`.
    init(claim: ClaimDocument, payout: PayoutEntry, grantedAt: Date) {
        id = ObjectID()
        userId = claim.userId
        claimId = claim.id
        eventId = claim.eventId
        rewardId = payout.rewardId
        type = payout.type
        name = payout.name
        amount = payout.amount
        itemCode = payout.itemCode
        quantity = payout.quantity
        couponCode = payout.couponCode
        self.grantedAt = grantedAt
    }
}

/// A stocked reward's counter in `rewardStock` (`_id` is the reward's id): units left and
/// the claims holding one, so taking a unit is idempotent per claim.
struct RewardStockDocument: Codable, Sendable {
    var id: ObjectID
    var eventId: ObjectID
    var stock: Int
    var remaining: Int
    var reservedBy: [ObjectID]

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case eventId, stock, remaining, reservedBy
    }
}
