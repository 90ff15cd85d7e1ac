import Logging
import MongoKit

/// The event service's implementation of the generated `APIProtocol`: one method per
/// operation of the `events`, `rewards`, `progress`, `claims`, `wallet`, `activities` and
/// `audit` tags, grouped by resource in `EventAPI+<Resource>.swift`. Every method first
/// checks the operation's `x-roles`.
struct EventAPI: APIProtocol {
    let events: any EventRepository
    let stock: any StockRepository
    let claims: any ClaimRepository
    let ledger: any LedgerRepository
    let activities: any ActivityRepository
    let auditLogs: any AuditRepository
    let audit: AuditRecorder
    let processor: ClaimProcessor
    let evaluator: ConditionEvaluator
    let indexes: IndexBootstrap
    let clock: WorkerClock
    let logger: Logger

    /// The request's logger: the application's, with the request id.
    var requestLogger: Logger {
        var logger = logger
        if let requestID = Caller.requestID {
            logger[metadataKey: "request.id"] = .string(requestID)
        }
        return logger
    }
}
