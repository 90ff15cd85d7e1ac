import MongoKit
import PlatformCore

/// The formats of audit fields the generated decoder does not check.
enum AuditValidation {
    /// `^[a-z][a-zA-Z0-9_.]{0,63}$`, e.g. `user.roles.set`.
    static func action(_ action: String, field: String) throws {
        try pattern(action, field: field, length: 1...64) {
            RequestValidation.isAttributeNameCharacter($0) || $0 == "."
        }
    }

    /// `^[a-z][a-zA-Z0-9_-]{0,31}$`, e.g. `serviceClient`.
    static func targetType(_ type: String, field: String) throws {
        try pattern(type, field: field, length: 1...32) { RequestValidation.isAttributeNameCharacter($0) || $0 == "-" }
    }

    private static func pattern(
        _ text: String, field: String, length: ClosedRange<Int>, rest: (Unicode.Scalar) -> Bool
    ) throws {
        try RequestValidation.pattern(text, field: field, length: length, allowed: rest)
        guard let first = text.unicodeScalars.first, ("a"..."z").contains(first) else {
            throw RequestValidation.invalid(field, "A field does not have the expected format.")
        }
    }

    /// One entry delivered by auth's outbox relay, as stored (`source: auth`).
    static func entry(_ input: Components.Schemas.AuditLogInput, field: String) throws -> AuditLogDocument {
        try RequestValidation.string(input.sourceId, field: field + "sourceId", length: 1...128)
        try RequestValidation.string(input.actor.id, field: field + "actor.id", length: 1...128)
        guard input.actor.roles.count <= 8, input.actor.roles.allSatisfy({ (1...32).contains($0.unicodeScalars.count) })
        else { throw RequestValidation.invalid(field + "actor.roles") }
        try action(input.action, field: field + "action")
        try targetType(input.target._type, field: field + "target.type")
        try RequestValidation.string(input.target.id, field: field + "target.id", length: 1...128)
        if let requestID = input.requestId {
            try RequestValidation.string(requestID, field: field + "requestId", length: 0...128)
        }
        return AuditLogDocument(
            id: .init(), source: .auth, sourceId: input.sourceId,
            actor: .init(id: input.actor.id, roles: input.actor.roles), action: input.action,
            target: .init(type: input.target._type, id: input.target.id),
            before: input.before.map { FreeFormJSON.document($0.additionalProperties) },
            after: input.after.map { FreeFormJSON.document($0.additionalProperties) },
            requestId: input.requestId, at: input.at)
    }
}
