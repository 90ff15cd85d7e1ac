import Foundation
import MongoKit
import PlatformCore

/// Writes the audit entry of every staff write: who (actor id and roles), what (action),
/// on what (target), the target before and after (as stored), and the request id.
struct AuditRecorder: Sendable {
    let repository: any AuditRepository
    let clock: WorkerClock

    /// The actor of the service's own background work (auto-complete).
    static let systemActor = AuditLogDocument.Actor(id: "system:auto-complete", roles: [Role.service.rawValue])

    /// The actor for a verified caller.
    static func actor(_ caller: CallerIdentity) -> AuditLogDocument.Actor {
        AuditLogDocument.Actor(id: caller.subject, roles: caller.roles.map(\.rawValue).sorted())
    }

    /// Stores one entry.
    /// - Parameters:
    ///   - before: The target before the action (`nil` for a creation).
    ///   - after: The target after it.
    func record(
        actor: AuditLogDocument.Actor, action: String, target: AuditLogDocument.Target,
        before: (some Encodable & Sendable)?, after: (some Encodable & Sendable)?, requestID: String?
    ) async throws {
        let encoder = BSONEncoder()
        let entry = AuditLogDocument(
            id: ObjectID(), source: .event, sourceId: nil, actor: actor, action: action, target: target,
            before: try before.map { try encoder.encode($0) }, after: try after.map { try encoder.encode($0) },
            requestId: requestID, at: clock.now())
        try await repository.insert(entry)
    }
}
