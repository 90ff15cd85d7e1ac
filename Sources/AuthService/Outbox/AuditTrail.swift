import Logging
import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Puts staff actions done in auth into the outbox, for the relay to deliver to the event
/// service's audit log.
///
/// The action is stored first and its record right after (a standalone MongoDB has no
/// multi-document transactions): a record that cannot be written after the tries of
/// `InsertRetries` is logged at `error` with its action, actor and target (not its before
/// and after), and the action still stands.
struct AuditTrail: Sendable {
    let outbox: any OutboxRepository
    var retries = InsertRetries()

    func record(_ entry: AuditEntry, logger: Logger) async {
        let record = OutboxRecord.audit(entry, at: entry.at)
        if let error = await retries.run({ [outbox] in try await outbox.insert(record) }) {
            logger.error(
                "audit record not written",
                metadata: [
                    "audit.action": .string(entry.action), "audit.actor": .string(entry.actor.id),
                    "audit.target": .string("\(entry.target.type):\(entry.target.id)"),
                    "error.description": .string("\(error)"),
                ])
        }
    }
}
