import Foundation
import Logging
import Metrics
import MongoKit
import PlatformCore

/// Finishes claims left PENDING (a crash, a database hiccup), safely with N replicas.
///
/// Each round takes due claims one at a time with `findAndModify` (status PENDING and
/// `leaseUntil` passed → lease extended, attempt counted), so two replicas never work the
/// same claim at once and a dead replica's claim is taken over when its lease expires.
/// A failed attempt is retried after a doubling backoff; past the configured number of
/// attempts the claim becomes FAILED, with a `critical` log line and the
/// `event_claims_failed_total` counter; staff put it back to work with
/// `POST /claims/{id}/retry` (`ClaimProcessor.retryFailed`).
struct ClaimRetryWorker: Sendable {
    let processor: ClaimProcessor
    let claims: any ClaimRepository
    let workers: EventWorkersConfiguration
    let clock: WorkerClock
    let logger: Logger
    private let failures = Counter(label: "event_claims_failed_total")

    init(
        processor: ClaimProcessor, claims: any ClaimRepository, workers: EventWorkersConfiguration, clock: WorkerClock,
        logger: Logger
    ) {
        self.processor = processor
        self.claims = claims
        self.workers = workers
        self.clock = clock
        self.logger = logger
    }

    /// Works every claim due now (at most `limit` per round).
    /// - Returns: How many claims were taken.
    @discardableResult
    func runOnce(limit: Int = 100) async throws -> Int {
        var taken = 0
        while taken < limit {
            let now = clock.now()
            guard
                let claim = try await claims.takeDue(
                    now: now, leaseUntil: now.addingTimeInterval(workers.leaseDuration.timeInterval))
            else { break }
            taken += 1
            await work(claim)
        }
        return taken
    }

    private func work(_ claim: ClaimDocument) async {
        var logger = logger
        logger[metadataKey: "claim.id"] = .string(claim.id.hex)
        logger[metadataKey: "claim.attempt"] = .stringConvertible(claim.attempts)
        if claim.attempts > workers.claimMaxAttempts {
            await fail(claim, logger: logger)
            return
        }
        do {
            switch try await processor.complete(claim, logger: logger) {
            case .granted:
                logger.info("pending claim finished")
            case .outOfStock:
                logger.info("pending claim rejected: out of stock")
            }
        } catch {
            let retryAt = clock.now().addingTimeInterval(
                ClaimBackoff.delay(afterAttempt: claim.attempts, workers: workers))
            logger.warning(
                "pending claim attempt failed",
                metadata: [
                    "error.description": .string(String(describing: error)),
                    "claim.retryAt": .string(retryAt.formatted(.iso8601)),
                ])
            try? await claims.scheduleRetry(claim.id, at: retryAt, now: clock.now())
        }
    }

    private func fail(_ claim: ClaimDocument, logger: Logger) async {
        do {
            guard try await claims.markFailed(claim.id, at: clock.now()) else { return }
            failures.increment()
            logger.critical(
                "claim FAILED after its last attempt: its payout may be incomplete; fix the cause, then POST /claims/{id}/retry",
                metadata: [
                    "user.id": .string(claim.userId.hex), "event.id": .string(claim.eventId.hex),
                    "claim.maxAttempts": .stringConvertible(workers.claimMaxAttempts),
                ])
        } catch {
            logger.error(
                "claim could not be marked FAILED", metadata: ["error.description": .string(String(describing: error))])
        }
    }

    /// The worker as a `Service` polling every `claimRetryInterval`.
    func service(waitingFor indexes: IndexBootstrap) -> PeriodicWorker {
        PeriodicWorker(name: "claim-retry", interval: workers.claimRetryInterval, logger: logger) {
            guard indexes.isReady else { return }
            try await runOnce()
        }
    }
}
