import MongoKit

/// Every index of the event database, in one place: created idempotently at start
/// (`IndexBootstrap`) and printable for `mongo-init/`.
///
/// The unique ones carry the product's guarantees:
/// - `claims_user_event_grant`: one PENDING/GRANTED/FAILED claim per user and event
///   (partial on `grantLock: true`; `userId` first so it stays legal when `claims` is
///   sharded on `userId`).
/// - `ledger_user_claim_reward`: one ledger entry per claim and reward.
/// - `activities_source`: a producer's `sourceId` is recorded once per user and source.
/// - `auditLogs_source`: an auth outbox entry is recorded once.
///
/// Every unique index of `claims`, `ledger` and `activities` starts with `userId`, so each
/// stays enforceable when those collections are sharded on `userId` (DESIGN §9,
/// docs/SCALING.md). Coupon codes are therefore not unique by index: each carries 80 random
/// bits (`CouponCode`), and `ledger_coupon` finds a code's entry.
enum EventIndexes {
    /// Collection names.
    enum Collection {
        static let events = "events"
        static let rewardStock = "rewardStock"
        static let claims = "claims"
        static let ledger = "ledger"
        static let activities = "activities"
        static let auditLogs = "auditLogs"
        static let workerLeases = "workerLeases"
    }

    static let claimsUniqueGrant = "claims_user_event_grant"
    static let ledgerUniqueEntry = "ledger_user_claim_reward"
    static let ledgerCoupon = "ledger_coupon"
    static let activitiesUniqueSource = "activities_source"
    static let auditLogsUniqueSource = "auditLogs_source"

    /// The indexes of each collection.
    static let all: [(collection: String, indexes: [IndexModel])] = [
        (
            Collection.events,
            [
                IndexModel(keys: ["status": 1, "endAt": 1], name: "events_status_endAt")
            ]
        ),
        (
            Collection.claims,
            [
                IndexModel(
                    keys: ["userId": 1, "eventId": 1], name: claimsUniqueGrant, unique: true,
                    partialFilterExpression: ["grantLock": true]),
                IndexModel(keys: ["userId": 1, "_id": -1], name: "claims_user_recent"),
                IndexModel(keys: ["eventId": 1, "_id": -1], name: "claims_event_recent"),
                IndexModel(keys: ["status": 1, "leaseUntil": 1], name: "claims_status_lease"),
            ]
        ),
        (
            Collection.ledger,
            [
                IndexModel(
                    keys: ["userId": 1, "claimId": 1, "rewardId": 1], name: ledgerUniqueEntry, unique: true),
                IndexModel(
                    keys: ["couponCode": 1], name: ledgerCoupon,
                    partialFilterExpression: ["couponCode": ["$exists": true]]),
            ]
        ),
        (
            Collection.activities,
            [
                IndexModel(keys: ["userId": 1, "type": 1, "occurredAt": 1], name: "activities_user_type_time"),
                IndexModel(
                    keys: ["userId": 1, "recordedBy.subject": 1, "sourceId": 1], name: activitiesUniqueSource,
                    unique: true, partialFilterExpression: ["sourceId": ["$exists": true]]),
            ]
        ),
        (
            Collection.auditLogs,
            [
                IndexModel(
                    keys: ["source": 1, "sourceId": 1], name: auditLogsUniqueSource, unique: true,
                    partialFilterExpression: ["sourceId": ["$exists": true]]),
                IndexModel(keys: ["actor.id": 1, "_id": -1], name: "auditLogs_actor_recent"),
                IndexModel(keys: ["target.type": 1, "target.id": 1, "_id": -1], name: "auditLogs_target_recent"),
                IndexModel(keys: ["action": 1, "_id": -1], name: "auditLogs_action_recent"),
            ]
        ),
    ]

    /// Indexes earlier versions created, dropped at start.
    /// - `ledger.ledger_coupon_code`: coupon codes unique across users, an index MongoDB
    ///   would not let the ledger be sharded on `userId` with.
    static let retired: [(collection: String, name: String)] = [(Collection.ledger, "ledger_coupon_code")]

    /// Drops the retired indexes, then creates every index (idempotent for identical
    /// definitions). A replica of an earlier version that starts later builds its retired
    /// index again (MongoDB 5.0+ keeps it beside an index on the same key that differs in
    /// `unique`); the next start of this version drops it again.
    /// - Throws: `MongoError` when MongoDB is unreachable or refuses a definition.
    static func create(in database: MongoDatabase) async throws {
        for index in retired {
            try await database.collection(index.collection).dropIndex(named: index.name)
        }
        for (collection, indexes) in all {
            _ = try await database.collection(collection).createIndexes(indexes)
        }
    }
}
