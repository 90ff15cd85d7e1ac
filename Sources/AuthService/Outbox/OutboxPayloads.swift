import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The event service's `ActivityBatch` (`POST /activities`), as the relay sends it.
struct ActivityBatchPayload: Encodable, Sendable {
    struct Activity: Encodable, Sendable {
        var userId: String
        var type: String
        var occurredAt: Date
        var sourceId: String
    }

    var activities: [Activity]

    /// The LOGIN records among `records`, each with its outbox id as `sourceId`.
    init(records: [OutboxRecord]) {
        activities = records.compactMap { record in
            guard record.type == .login, let userId = record.userId else { return nil }
            return Activity(
                userId: userId.hex, type: "LOGIN", occurredAt: record.occurredAt ?? record.createdAt,
                sourceId: record.id.hex)
        }
    }
}

/// The event service's `AuditLogBatch` (`POST /audit-logs`), as the relay sends it.
struct AuditLogBatchPayload: Encodable, Sendable {
    struct Entry: Encodable, Sendable {
        var sourceId: String
        var actor: AuditEntry.Actor
        var action: String
        var target: AuditEntry.Target
        var before: JSONValue?
        var after: JSONValue?
        var requestId: String?
        var at: Date
    }

    var entries: [Entry]

    /// The AUDIT records among `records`, each with its outbox id as `sourceId`.
    init(records: [OutboxRecord]) {
        entries = records.compactMap { record in
            guard record.type == .audit, let audit = record.audit else { return nil }
            return Entry(
                sourceId: record.id.hex, actor: audit.actor, action: audit.action, target: audit.target,
                before: audit.before, after: audit.after, requestId: audit.requestId, at: audit.at)
        }
    }
}

extension JSONEncoder {
    /// RFC 3339 dates in whole seconds, as every platform decoder accepts them.
    static var outbox: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        encoder.outputFormatting = [.sortedKeys]
        return encoder
    }
}
