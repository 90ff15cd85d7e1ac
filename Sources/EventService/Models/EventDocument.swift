import Foundation
import MongoKit

/// An event as stored in `events`, its reward definitions embedded so that one read gives
/// a claim everything it needs (DESIGN §10). Stock counters live in `rewardStock`.
struct EventDocument: Codable, Sendable {
    var id: ObjectID
    var title: String
    var description: String
    var startAt: Date
    var endAt: Date
    /// IANA zone name; day boundaries of login streaks.
    var timezone: String
    var status: EventStatus
    var conditions: [EventCondition]
    var rewards: [RewardDocument]
    /// The subject of the token that created the event.
    var createdBy: String
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case title, description, startAt, endAt, timezone, status, conditions, rewards, createdBy, createdAt,
            updatedAt
    }

    /// Whether `instant` lies in the window `[startAt, endAt)`.
    func isOpen(at instant: Date) -> Bool {
        startAt <= instant && instant < endAt
    }
}

/// The kind of a reward.
enum RewardType: String, Codable, Sendable, Hashable {
    case point = "POINT"
    case item = "ITEM"
    case coupon = "COUPON"
}

/// One reward of an event, embedded in its event document.
struct RewardDocument: Codable, Sendable, Hashable {
    var id: ObjectID
    var type: RewardType
    var name: String
    /// POINT: points granted.
    var amount: Int?
    /// ITEM: the item's code.
    var itemCode: String?
    /// ITEM: how many.
    var quantity: Int?
    /// COUPON: the prefix of minted codes.
    var couponTemplate: String?
    /// Total grants, `nil` for unlimited; its counter is the `rewardStock` document.
    var stock: Int?
    var createdAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case type, name, amount, itemCode, quantity, couponTemplate, stock, createdAt
    }
}
