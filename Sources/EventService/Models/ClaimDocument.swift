import Foundation
import MongoKit

/// The status of a claim (see `ClaimStateMachine`).
enum ClaimStatus: String, Codable, Sendable, CaseIterable, Hashable {
    case pending = "PENDING"
    case granted = "GRANTED"
    case rejected = "REJECTED"
    case failed = "FAILED"
}

/// Why a claim was REJECTED.
enum ClaimReason: String, Codable, Sendable, Hashable {
    case conditionNotMet = "CONDITION_NOT_MET"
    case outOfStock = "OUT_OF_STOCK"
}

/// A claim as stored in `claims`.
///
/// `grantLock: true` is carried exactly while the claim holds (or may still hold) the
/// user's one grant for the event — PENDING, GRANTED and FAILED — and the partial unique
/// index `{userId, eventId}` filters on it, so a second such claim cannot exist.
struct ClaimDocument: Codable, Sendable {
    var id: ObjectID
    var eventId: ObjectID
    var userId: ObjectID
    var status: ClaimStatus
    var reason: ClaimReason?
    var grantLock: Bool?
    /// The condition snapshot taken when the claim was evaluated.
    var progress: [ConditionProgress]
    /// The activities that met the conditions (empty when they were not met).
    var activityIds: [ObjectID]
    /// What the claim grants: planned when it is created (coupon codes minted then, so a
    /// retry writes the same codes), empty when it is REJECTED.
    var payout: [PayoutEntry]
    /// Attempts so far (the request's own is the first).
    var attempts: Int
    /// Until when the current worker (or the request) owns the claim; also when the next
    /// attempt is due.
    var leaseUntil: Date?
    var createdAt: Date
    var updatedAt: Date
    var grantedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case eventId, userId, status, reason, grantLock, progress, activityIds, payout, attempts, leaseUntil,
            createdAt, updatedAt, grantedAt
    }
}

/// One condition's state for one user: `{type, current, required, met}`.
struct ConditionProgress: Codable, Sendable, Hashable {
    var type: String
    var current: Double
    var required: Double
    var met: Bool
}

/// One reward a claim grants.
struct PayoutEntry: Codable, Sendable, Hashable {
    var rewardId: ObjectID
    var type: RewardType
    var name: String
    var amount: Int?
    var itemCode: String?
    var quantity: Int?
    /// The code minted for this grant (COUPON).
    var couponCode: String?
    /// Whether the reward has limited stock, so a unit must be reserved first.
    var stocked: Bool
}
