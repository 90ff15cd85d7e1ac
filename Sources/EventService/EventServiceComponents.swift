import Foundation
import Logging
import MongoKit
import PlatformCore

/// The event service's parts, wired once: repositories on the service's database, the
/// claim processor, the API and the background workers. The build function serves them;
/// tests reach the workers directly (e.g. to run a retry round with a moved clock).
struct EventServiceComponents: Sendable {
    let api: EventAPI
    let indexes: IndexBootstrap
    let retryWorker: ClaimRetryWorker
    let autoCompleteWorker: AutoCompleteWorker

    init(configuration: EventApplicationConfiguration, database: MongoDatabase, logger: Logger, clock: WorkerClock) {
        let events = MongoEventRepository(database: database)
        let stock = MongoStockRepository(database: database)
        let claims = MongoClaimRepository(database: database)
        let ledger = MongoLedgerRepository(database: database)
        let auditLogs = MongoAuditRepository(database: database)
        let evaluator = ConditionEvaluator(activities: database.collection(EventIndexes.Collection.activities))
        let audit = AuditRecorder(repository: auditLogs, clock: clock, logger: logger)
        let workers = configuration.workers
        let processor = ClaimProcessor(
            events: events, claims: claims, stock: stock, ledger: ledger, evaluator: evaluator,
            faults: configuration.faultInjector, workers: workers, clock: clock)
        indexes = IndexBootstrap(database: database, logger: logger)
        api = EventAPI(
            events: events, stock: stock, claims: claims, ledger: ledger,
            activities: MongoActivityRepository(database: database), auditLogs: auditLogs, audit: audit,
            processor: processor, evaluator: evaluator, indexes: indexes, clock: clock, logger: logger)
        retryWorker = ClaimRetryWorker(
            processor: processor, claims: claims, workers: workers, clock: clock, logger: logger)
        autoCompleteWorker = AutoCompleteWorker(
            events: events, leases: MongoWorkerLeaseRepository(database: database), audit: audit,
            leaseDuration: workers.leaseDuration, interval: workers.autoCompleteInterval, clock: clock, logger: logger,
            owner: Self.replicaName())
    }

    /// This process's name in worker leases: host name and a random suffix.
    private static func replicaName() -> String {
        ProcessInfo.processInfo.hostName + "-" + String(UInt32.random(in: .min ... .max), radix: 16)
    }
}
