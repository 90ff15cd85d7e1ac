import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One message of auth's transactional outbox (`outbox`): written next to the change it
/// reports, delivered to the event service by `OutboxRelay`, its `_id` the `sourceId`
/// that makes a repeated delivery harmless there.
///
/// - `LOGIN`: a successful login (`userId`, `occurredAt`) → `POST /activities`.
/// - `AUDIT`: a staff action done in auth (`audit`) → `POST /audit-logs`.
///
/// `leaseUntil` says when the record may next be taken: a relay that takes it sets it to
/// the end of its lease (and `leaseOwner` to itself); a failed delivery sets it to the
/// retry time. A PENDING record whose `leaseUntil` has passed is free to take — also when
/// the relay that held it died.
struct OutboxRecord: Codable, Sendable, Equatable {
    enum Kind: String, Codable, Sendable {
        case login = "LOGIN"
        case audit = "AUDIT"
    }

    enum Status: String, Codable, Sendable {
        /// Waiting for (re)delivery.
        case pending = "PENDING"
        /// Accepted by the event service.
        case delivered = "DELIVERED"
        /// Refused for good by the event service (a 4xx that no retry can fix); logged loudly.
        case failed = "FAILED"
    }

    var id: ObjectID
    var type: Kind
    var status: Status
    var createdAt: Date
    var attempts: Int
    var leaseUntil: Date
    var leaseOwner: String?
    var deliveredAt: Date?
    var lastError: String?
    /// When a delivered record may be removed (TTL index); absent while undelivered.
    var purgeAt: Date?
    /// LOGIN: who logged in, and when.
    var userId: ObjectID?
    var occurredAt: Date?
    /// AUDIT: the staff action.
    var audit: AuditEntry?

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case type, status, createdAt, attempts, leaseUntil, leaseOwner, deliveredAt, lastError, purgeAt
        case userId, occurredAt, audit
    }

    /// A LOGIN record for `userId`, available for delivery at once.
    static func login(userId: ObjectID, at now: Date) -> OutboxRecord {
        OutboxRecord(
            id: ObjectID(), type: .login, status: .pending, createdAt: now, attempts: 0, leaseUntil: now,
            userId: userId, occurredAt: now)
    }

    /// An AUDIT record of `entry`, available for delivery at once.
    static func audit(_ entry: AuditEntry, at now: Date) -> OutboxRecord {
        OutboxRecord(
            id: ObjectID(), type: .audit, status: .pending, createdAt: now, attempts: 0, leaseUntil: now,
            audit: entry)
    }
}

/// A staff action done in auth: who (`actor`), what (`action`, `target`), when (`at`),
/// and the target before and after (secrets and hashes never included).
struct AuditEntry: Codable, Sendable, Equatable {
    struct Actor: Codable, Sendable, Equatable {
        /// A user id or a service client id.
        var id: String
        /// The roles of the token that acted.
        var roles: [String]
    }

    struct Target: Codable, Sendable, Equatable {
        /// `user` or `serviceClient`.
        var type: String
        var id: String
    }

    var actor: Actor
    /// e.g. `user.roles.set`, `serviceClient.create`.
    var action: String
    var target: Target
    var before: JSONValue?
    var after: JSONValue?
    var requestId: String?
    var at: Date

    /// An entry acted by `caller` now, in the request `RequestIdentifier.current`.
    init(
        by caller: CallerIdentity, action: String, target: Target, before: JSONValue?, after: JSONValue?,
        at: Date
    ) {
        actor = Actor(id: caller.subject, roles: caller.roles.map(\.rawValue).sorted())
        self.action = action
        self.target = target
        self.before = before
        self.after = after
        requestId = RequestIdentifier.current
        self.at = at
    }
}
