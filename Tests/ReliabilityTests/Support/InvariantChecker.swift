import Foundation
import Logging
import MongoKit
import TestSupport
import Testing

@testable import AuthService
@testable import EventService

/// Reads a cluster's event and auth databases directly (never through the API) and checks
/// the platform's promises after a drill or a storm (issue 8):
///
/// - at most one GRANTED claim — and one grant-holding claim — per event and user;
/// - the ledger holds exactly one entry per reward of each GRANTED claim (Σ rewards ×
///   GRANTED claims), unique per claim and reward, and no entry of a REJECTED claim;
/// - stock taken equals the grants: each stocked reward's units taken equal its
///   reservations, every GRANTED claim holds its unit, no REJECTED claim holds one;
/// - no claim PENDING past the retry horizon: a PENDING claim's next attempt (`leaseUntil`)
///   is not overdue by more than the retry worker's interval plus a grace;
/// - no activity `sourceId` twice per user and recorder;
/// - every record of auth's outbox delivered (none PENDING, none FAILED).
///
/// Field and collection names come from the services' own storage types
/// (`ClaimDocument`, `LedgerEntryDocument`, `RewardStockDocument`, `ActivityDocument`,
/// `OutboxRecord`, `EventIndexes`, `AuthIndexes`), so they cannot drift from the product.
struct InvariantChecker: Sendable {
    /// How many breaches `InvariantReport.violations` describes in words.
    static let violationLimit = 20

    let mongoURI: String
    let eventDatabase: String
    let authDatabase: String
    /// How long past its due time a PENDING claim may wait before it counts as overdue:
    /// the retry worker's interval plus a grace for a busy machine.
    let pendingGrace: Duration

    /// A checker for `cluster`'s databases; the grace is its `CLAIM_RETRY_INTERVAL_MS`
    /// (1 s by default) plus 5 s.
    init(cluster: PlatformCluster) {
        let environment = cluster.environment
        let interval = environment["CLAIM_RETRY_INTERVAL_MS"].flatMap(Int.init) ?? 1000
        self.init(
            mongoURI: environment["MONGODB_URI"] ?? "", eventDatabase: environment["EVENT_DATABASE"] ?? "event",
            authDatabase: environment["AUTH_DATABASE"] ?? "auth", pendingGrace: .milliseconds(interval) + .seconds(5))
    }

    init(mongoURI: String, eventDatabase: String, authDatabase: String, pendingGrace: Duration = .seconds(6)) {
        self.mongoURI = mongoURI
        self.eventDatabase = eventDatabase
        self.authDatabase = authDatabase
        self.pendingGrace = pendingGrace
    }

    /// Waits (up to `settle`) until no claim is PENDING and auth's outbox is delivered,
    /// then reads both databases and `#expect`s every invariant.
    /// - Parameters:
    ///   - settle: How long in-flight work (retry worker, outbox relay) may take to finish
    ///     first; a PENDING claim or record still there afterwards is reported, and only
    ///     an overdue claim or an undelivered record fails the check.
    /// - Returns: The counts, for the caller's own assertions and summary line.
    @discardableResult
    func check(
        settle: Duration = .seconds(30), sourceLocation: SourceLocation = #_sourceLocation
    ) async throws
        -> InvariantReport
    {
        _ = try await waitUntilSettled(timeout: settle)
        let report = try await measure()
        let context = Comment(rawValue: report.violations.joined(separator: "\n"))
        #expect(report.duplicateGrants == 0, context, sourceLocation: sourceLocation)
        #expect(report.duplicateLedgerEntries == 0, context, sourceLocation: sourceLocation)
        #expect(report.missingLedgerEntries == 0, context, sourceLocation: sourceLocation)
        #expect(report.orphanLedgerEntries == 0, context, sourceLocation: sourceLocation)
        #expect(report.duplicateCoupons == 0, context, sourceLocation: sourceLocation)
        #expect(report.stockCounterMismatches == 0, context, sourceLocation: sourceLocation)
        #expect(report.leakedStock == 0, context, sourceLocation: sourceLocation)
        #expect(report.unreservedGrants == 0, context, sourceLocation: sourceLocation)
        #expect(
            report.stockTaken == report.stockedGrants + report.stockHeldUnsettled, context,
            sourceLocation: sourceLocation)
        #expect(report.overduePending == 0, context, sourceLocation: sourceLocation)
        #expect(report.duplicateSourceIDs == 0, context, sourceLocation: sourceLocation)
        #expect(report.undeliveredOutbox == 0, context, sourceLocation: sourceLocation)
        #expect(report.failedOutbox == 0, context, sourceLocation: sourceLocation)
        return report
    }

    /// Polls until no claim is PENDING and no outbox record is PENDING.
    /// - Returns: Whether that happened within `timeout`.
    func waitUntilSettled(timeout: Duration) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        return try await withDatabases { event, auth in
            while true {
                let pendingClaims = try await event.collection(EventIndexes.Collection.claims).countDocuments(
                    ["status": .string(ClaimStatus.pending.rawValue)])
                let pendingOutbox = try await auth.collection(AuthIndexes.Collection.outbox).countDocuments(
                    ["status": .string(OutboxRecord.Status.pending.rawValue)])
                if pendingClaims == 0 && pendingOutbox == 0 { return true }
                if ContinuousClock.now >= deadline { return false }
                try await Task.sleep(for: .milliseconds(200))
            }
        }
    }

    /// Reads both databases and counts what is there and every breach, without asserting.
    func measure() async throws -> InvariantReport {
        try await withDatabases { event, auth in
            var report = InvariantReport()
            let claims = try await event.collection(EventIndexes.Collection.claims, withType: ClaimDocument.self)
                .find().toArray()
            let ledger = try await event.collection(
                EventIndexes.Collection.ledger, withType: LedgerEntryDocument.self
            ).find().toArray()
            let stock = try await event.collection(
                EventIndexes.Collection.rewardStock, withType: RewardStockDocument.self
            ).find().toArray()
            let activities = try await event.collection(
                EventIndexes.Collection.activities, withType: ActivityDocument.self
            ).find().toArray()
            let outbox = try await auth.collection(AuthIndexes.Collection.outbox, withType: OutboxRecord.self)
                .find().toArray()
            checkClaims(claims, into: &report)
            checkLedger(ledger, claims: claims, into: &report)
            checkStock(stock, claims: claims, into: &report)
            checkActivities(activities, into: &report)
            checkOutbox(outbox, into: &report)
            return report
        }
    }

    /// Documents of the event database's `collection` matching `filter` (drills use it to
    /// look at what the API does not show, e.g. activities).
    func countEventDocuments(_ collection: String, _ filter: BSONDocument = [:]) async throws -> Int {
        try await withDatabases { event, _ in try await event.collection(collection).countDocuments(filter) }
    }

    /// Documents of the auth database's `collection` matching `filter` (e.g. the outbox).
    func countAuthDocuments(_ collection: String, _ filter: BSONDocument = [:]) async throws -> Int {
        try await withDatabases { _, auth in try await auth.collection(collection).countDocuments(filter) }
    }

    /// Runs `body` with the event and auth databases on a small pool of its own, closed
    /// afterwards (also when `body` throws).
    func withDatabases<Result: Sendable>(
        _ body: (MongoDatabase, MongoDatabase) async throws -> Result
    ) async throws -> Result {
        let configuration = MongoClientConfiguration(
            uri: mongoURI, maxPoolSize: 2, serverSelectionTimeout: .seconds(5), connectTimeout: .seconds(2),
            socketTimeout: .seconds(20), appName: "invariant-checker")
        let pool = try MongoClientPool(configuration: configuration, logger: Logger(label: "invariant-checker"))
        do {
            let result = try await body(pool.database(eventDatabase), pool.database(authDatabase))
            await pool.close()
            return result
        } catch {
            await pool.close()
            throw error
        }
    }
}
