import Foundation
import Logging
import MongoKit

/// Completes ACTIVE events whose `endAt` has passed (an ACTIVE event past `endAt` is not
/// claimable anyway; this makes its status say so).
///
/// Safe with N replicas: a round runs only on the replica holding the `auto-complete`
/// lease, and each event moves with one conditional `findAndModify` (ACTIVE and past
/// `endAt` → COMPLETED), so no event is completed — or audited — twice.
struct AutoCompleteWorker: Sendable {
    static let leaseName = "auto-complete"

    let events: any EventRepository
    let leases: any WorkerLeaseRepository
    let audit: AuditRecorder
    let leaseDuration: Duration
    let interval: Duration
    let clock: WorkerClock
    let logger: Logger
    /// This replica's name in the lease.
    let owner: String

    /// One round: completes every expired event if this replica holds the lease.
    /// - Returns: How many events were completed.
    @discardableResult
    func runOnce() async throws -> Int {
        let now = clock.now()
        guard
            try await leases.acquire(
                Self.leaseName, owner: owner, until: now.addingTimeInterval(leaseDuration.timeInterval), now: now)
        else { return 0 }
        var completed = 0
        while let before = try await events.completeOneExpired(now: clock.now()) {
            completed += 1
            var after = before
            after.status = .completed
            logger.info("event auto-completed", metadata: ["event.id": .string(before.id.hex)])
            await audit.record(
                actor: AuditRecorder.systemActor, action: "event.status",
                target: .init(type: "event", id: before.id.hex), before: before, after: after, requestID: nil)
        }
        return completed
    }

    /// The worker as a `Service` polling every `interval`.
    func service() -> PeriodicWorker {
        PeriodicWorker(name: "auto-complete", interval: interval, logger: logger) {
            try await runOnce()
        }
    }
}
