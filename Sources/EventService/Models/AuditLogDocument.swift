import Foundation
import MongoKit

/// A staff action in `auditLogs`: who did what to which target, with before/after.
struct AuditLogDocument: Codable, Sendable {
    /// Who acted.
    struct Actor: Codable, Sendable, Hashable {
        var id: String
        var roles: [String]
    }

    /// What was acted on.
    struct Target: Codable, Sendable, Hashable {
        var type: String
        var id: String
    }

    /// The service that recorded the action.
    enum Source: String, Codable, Sendable {
        case auth
        case event
    }

    var id: ObjectID
    var source: Source
    /// Auth's outbox id for entries delivered by auth; unique, so a redelivery is one entry.
    var sourceId: String?
    var actor: Actor
    var action: String
    var target: Target
    var before: BSONDocument?
    var after: BSONDocument?
    var requestId: String?
    var at: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case source, sourceId, actor, action, target, before, after, requestId, at
    }
}
