import Foundation
import Logging
import MongoKit
import PlatformCore

/// Writes the audit entry of every staff write: who (actor id and roles), what (action),
/// on what (target), the target before and after (as stored), and the request id.
///
/// The entry is written right after the change it records, which is stored by then and
/// stands whatever happens here. So a failure to write the entry does not fail the request
/// (a client told 503 would repeat a change that was made, e.g. create a second event):
/// the insert is tried as `InsertRetries` does, then the entry is logged at `error` as
/// canonical Extended JSON (`audit.entry`) for an operator to insert by hand, coupon codes
/// masked. docs/RELIABILITY.md says what a single write for both would take.
struct AuditRecorder: Sendable {
    let repository: any AuditRepository
    let clock: WorkerClock
    let logger: Logger
    var retries = InsertRetries()

    /// The actor of the service's own background work (auto-complete).
    static let systemActor = AuditLogDocument.Actor(id: "system:auto-complete", roles: [Role.service.rawValue])

    /// The actor for a verified caller.
    static func actor(_ caller: CallerIdentity) -> AuditLogDocument.Actor {
        AuditLogDocument.Actor(id: caller.subject, roles: caller.roles.map(\.rawValue).sorted())
    }

    /// Stores one entry; never throws (see the type's description).
    /// - Parameters:
    ///   - before: The target before the action (`nil` for a creation).
    ///   - after: The target after it.
    func record(
        actor: AuditLogDocument.Actor, action: String, target: AuditLogDocument.Target,
        before: (some Encodable & Sendable)?, after: (some Encodable & Sendable)?, requestID: String?
    ) async {
        var metadata: Logger.Metadata = [
            "audit.action": .string(action), "audit.actor": .string(actor.id),
            "audit.target": .string("\(target.type):\(target.id)"),
        ]
        if let requestID { metadata["request.id"] = .string(requestID) }
        let entry: AuditLogDocument
        do {
            let encoder = BSONEncoder()
            entry = AuditLogDocument(
                id: ObjectID(), source: .event, sourceId: nil, actor: actor, action: action, target: target,
                before: try before.map { try encoder.encode($0) }, after: try after.map { try encoder.encode($0) },
                requestId: requestID, at: clock.now())
        } catch {
            metadata["error.description"] = .string(String(describing: error))
            logger.error("audit entry not encodable", metadata: metadata)
            return
        }
        if let failure = await retries.run({ [repository] in try await repository.insert(entry) }) {
            metadata["error.description"] = .string(String(describing: failure))
            metadata["audit.entry"] = .string(Self.loggable(entry))
            logger.error("audit entry not written", metadata: metadata)
        }
    }

    /// The entry as canonical Extended JSON, every `couponCode` masked: a minted code can be
    /// redeemed, and logs are not the place for it (it is in the claim's `payout`).
    private static func loggable(_ entry: AuditLogDocument) -> String {
        guard let document = try? BSONEncoder().encode(entry) else { return "(not encodable)" }
        return masked(document).canonicalExtendedJSON
    }

    static func masked(_ document: BSONDocument) -> BSONDocument {
        var result = BSONDocument()
        for (key, value) in document {
            result.append(key, key == "couponCode" && value.stringValue != nil ? "(masked)" : masked(value))
        }
        return result
    }

    private static func masked(_ value: BSON) -> BSON {
        if let document = value.documentValue { return .document(masked(document)) }
        if let array = value.arrayValue { return .array(array.map(masked)) }
        return value
    }
}
