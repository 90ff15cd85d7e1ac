public import MongoKit

/// The event database's storage definitions, public for `event-reward storage-spec`
/// (which writes `mongo-init/storage.json`): the indexes the service creates at start and
/// the read-only views auditors query with `mongosh` (docs/AUDITING.md).
public enum EventStorage {
    /// A read-only view: its name, source collection and pipeline.
    public struct View: Sendable {
        public let name: String
        public let source: String
        public let pipeline: [BSONDocument]
    }

    /// Every index, by collection.
    public static var indexes: [(collection: String, indexes: [IndexModel])] { EventIndexes.all }

    /// The auditors' views.
    public static let views: [View] = [
        // One row per claim: who, which event (title), what was granted, status, why, when.
        View(
            name: "claim_report", source: EventIndexes.Collection.claims,
            pipeline: [
                [
                    "$lookup": [
                        "from": .string(EventIndexes.Collection.events), "localField": "eventId",
                        "foreignField": "_id", "as": "event",
                    ]
                ],
                ["$unwind": ["path": "$event", "preserveNullAndEmptyArrays": true]],
                [
                    "$project": [
                        "_id": 1, "userId": 1, "eventId": 1, "eventTitle": "$event.title", "status": 1, "reason": 1,
                        "grantedRewards": "$payout.name", "eventRewards": "$event.rewards.name", "payout": 1,
                        "progress": 1, "activityIds": 1, "attempts": 1, "createdAt": 1, "updatedAt": 1, "grantedAt": 1,
                    ]
                ],
            ]),
        // One row per user: what the ledger holds for them.
        View(
            name: "wallet_balances", source: EventIndexes.Collection.ledger,
            pipeline: [
                [
                    "$group": [
                        "_id": "$userId",
                        "points": ["$sum": ["$cond": [["$eq": ["$type", "POINT"]], ["$ifNull": ["$amount", 0]], 0]]],
                        "itemUnits": [
                            "$sum": ["$cond": [["$eq": ["$type", "ITEM"]], ["$ifNull": ["$quantity", 0]], 0]]
                        ],
                        "coupons": ["$sum": ["$cond": [["$eq": ["$type", "COUPON"]], 1, 0]]],
                        "entries": ["$sum": 1],
                        "lastGrantAt": ["$max": "$grantedAt"],
                    ]
                ],
                [
                    "$project": [
                        "_id": 0, "userId": "$_id", "points": 1, "itemUnits": 1, "coupons": 1, "entries": 1,
                        "lastGrantAt": 1,
                    ]
                ],
            ]),
    ]
}
