import MongoKit
import PlatformCore

extension EventAPI {
    func listAuditLogs(_ input: Operations.listAuditLogs.Input) async throws -> Operations.listAuditLogs.Output {
        _ = try Caller.require([.auditor, .admin])
        let query = input.query
        let limit = try RequestValidation.limit(query.limit)
        let after = try PageCursor.decode(query.cursor, kind: .auditLogs)
        var filter = BSONDocument()
        if let actorID = query.actorId {
            try RequestValidation.string(actorID, field: "actorId", length: 1...128)
            filter.append("actor.id", .string(actorID))
        }
        if let action = query.action {
            try AuditValidation.action(action, field: "action")
            filter.append("action", .string(action))
        }
        if let targetType = query.targetType {
            try AuditValidation.targetType(targetType, field: "targetType")
            filter.append("target.type", .string(targetType))
        }
        if let targetID = query.targetId {
            try RequestValidation.string(targetID, field: "targetId", length: 1...128)
            filter.append("target.id", .string(targetID))
        }
        if let range = try Self.createdRange(from: query.from, to: query.to, field: "at") {
            filter.append("at", range)
        }
        let page = try await PageCursor.page(.auditLogs, limit: limit, id: \AuditLogDocument.id) { count in
            try await auditLogs.list(filter: filter, after: after, limit: count)
        }
        return .ok(
            .init(body: .json(.init(items: page.items.map(Components.Schemas.AuditLog.init), nextCursor: page.next))))
    }

    /// Auth's outbox relay delivers auth's staff actions here; only its own SERVICE token
    /// (subject `auth-outbox-relay`) may — any other caller is 403. A repeated delivery
    /// (same `sourceId`) is recorded once and reported as a duplicate.
    func recordAuditLogs(_ input: Operations.recordAuditLogs.Input) async throws -> Operations.recordAuditLogs.Output {
        let caller = try Caller.require([.service])
        guard caller.subject == CallerIdentity.authOutboxRelaySubject else {
            throw APIError(.forbidden, message: "Only auth's outbox relay may deliver audit entries.")
        }
        let body =
            switch input.body {
            case .json(let value): value
            }
        guard (1...1000).contains(body.entries.count) else {
            throw RequestValidation.invalid("entries", "A batch holds 1 to 1000 entries.")
        }
        let entries = try body.entries.enumerated().map { index, entry in
            try AuditValidation.entry(entry, field: "entries[\(index)].")
        }
        try indexes.requireReady()
        let stored = try await auditLogs.ingest(entries)
        let duplicates = stored.filter(\.duplicate).count
        return .created(
            .init(
                body: .json(
                    .init(
                        recorded: stored.count - duplicates, duplicates: duplicates,
                        items: zip(entries, stored).map { entry, result in
                            .init(id: result.id.hex, sourceId: entry.sourceId, duplicate: result.duplicate)
                        }))))
    }
}

extension Components.Schemas.AuditLog {
    init(_ entry: AuditLogDocument) {
        self.init(
            id: entry.id.hex, source: entry.source == .auth ? .auth : .event,
            actor: .init(id: entry.actor.id, roles: entry.actor.roles), action: entry.action,
            target: .init(_type: entry.target.type, id: entry.target.id),
            before: entry.before.flatMap(FreeFormJSON.object).map { .init(additionalProperties: $0) },
            after: entry.after.flatMap(FreeFormJSON.object).map { .init(additionalProperties: $0) },
            requestId: entry.requestId, at: entry.at)
    }
}
