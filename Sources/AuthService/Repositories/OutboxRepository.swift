import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Auth's outbox: records written next to the changes they report, leased by relays.
protocol OutboxRepository: Sendable {
    /// Stores a new record.
    func insert(_ record: OutboxRecord) async throws

    /// Takes one free record (PENDING, `leaseUntil` passed), oldest due first, leasing it to
    /// `owner` until `until`; `nil` when none is free. Atomic: two relays never hold one
    /// record at once.
    func lease(owner: String, now: Date, until: Date) async throws -> OutboxRecord?

    /// Marks the records `ids` that `owner` still holds as delivered.
    func markDelivered(_ ids: [ObjectID], owner: String, now: Date, purgeAt: Date) async throws

    /// Gives record `id` back (if `owner` still holds it) for another attempt at `retryAt`.
    func reschedule(_ id: ObjectID, owner: String, retryAt: Date, error: String) async throws

    /// Marks the records `ids` that `owner` still holds as failed for good.
    func markFailed(_ ids: [ObjectID], owner: String, now: Date, error: String) async throws
}
