import Foundation
import Logging
import MongoKit
import PlatformCore

/// Claims an event's rewards exactly once (DESIGN §6).
///
/// 1. The event must be ACTIVE and now within its window, else 409 `EVENT_NOT_ACTIVE`.
/// 2. The conditions are evaluated with one aggregation; not met → a REJECTED claim with
///    the snapshot is stored and 422 `CONDITION_NOT_MET` answered.
/// 3. Met → the claim is inserted PENDING with `grantLock: true` and its planned payout;
///    the partial unique index makes a second such claim a 409 `ALREADY_CLAIMED`.
/// 4.–5. `complete(_:)`: stock, ledger, GRANTED — each step idempotent, shared with the
///    retry worker, which finishes claims a crash or a database hiccup left PENDING.
///
/// Round trips for a granted claim with one stocked reward: find event, aggregate, insert
/// claim, reserve stock, insert ledger entry, mark GRANTED — six.
struct ClaimProcessor: Sendable {
    let events: any EventRepository
    let claims: any ClaimRepository
    let stock: any StockRepository
    let ledger: any LedgerRepository
    let evaluator: ConditionEvaluator
    let faults: any ClaimFaultInjector
    let workers: EventWorkersConfiguration
    let clock: WorkerClock

    /// Claims event `eventID` for user `userID`.
    /// - Returns: The claim, GRANTED — or PENDING when its payout was interrupted and the
    ///   retry worker will finish it.
    /// - Throws: `APIError` `NOT_FOUND`, `EVENT_NOT_ACTIVE`, `CONDITION_NOT_MET`,
    ///   `ALREADY_CLAIMED`, `OUT_OF_STOCK`; `MongoError` before the claim is stored.
    func claim(eventID: ObjectID, userID: ObjectID, logger: Logger) async throws -> ClaimDocument {
        let now = clock.now()
        guard let event = try await events.find(eventID), EventStatusMachine(event.status).isVisibleToUsers else {
            throw APIError(.notFound, message: "The event was not found.")
        }
        guard EventStatusMachine(event.status).isClaimable, event.isOpen(at: now) else {
            throw APIError(.eventNotActive, details: ["status": .string(event.status.rawValue)])
        }
        let evaluation = try await evaluator.evaluate(event, userID: userID)
        let claim = newClaim(event: event, userID: userID, evaluation: evaluation, now: now)
        do {
            try await claims.insert(claim)
        } catch MongoError.duplicateKey(let index, _, _) where index == nil || index == EventIndexes.claimsUniqueGrant {
            let holder = try? await claims.findGrantHolder(userID: userID, eventID: eventID)
            throw APIError(.alreadyClaimed, details: holder.map { ["claimId": .string($0.id.hex)] } ?? [:])
        }
        guard evaluation.met else {
            logger.debug("claim rejected: conditions not met", metadata: ["claim.id": .string(claim.id.hex)])
            throw APIError(
                .conditionNotMet,
                details: ["claimId": .string(claim.id.hex), "progress": .array(evaluation.progress.map(\.json))])
        }
        switch try await completeOrLeaveToWorker(claim, logger: logger) {
        case .granted(let granted)?:
            return granted
        case .outOfStock(let rewardID)?:
            throw APIError(.outOfStock, details: ["rewardId": .string(rewardID.hex), "claimId": .string(claim.id.hex)])
        case nil:
            return claim
        }
    }

    /// Gives a FAILED claim (the retry worker gave up on it) a fresh attempt budget and
    /// runs one attempt now. Safe after a partial payout: every step of `complete(_:)` is
    /// idempotent per claim.
    /// - Returns: The claim as it now stands: GRANTED, REJECTED/OUT_OF_STOCK, or PENDING
    ///   when the attempt was interrupted again (the retry worker goes on).
    /// - Throws: `APIError` `NOT_FOUND`, or `CONFLICT` when the claim is not FAILED.
    func retryFailed(_ id: ObjectID, logger: Logger) async throws -> ClaimDocument {
        let now = clock.now()
        guard
            let claim = try await claims.reopenFailed(
                id, now: now, leaseUntil: now.addingTimeInterval(workers.leaseDuration.timeInterval))
        else {
            guard let existing = try await claims.find(id) else {
                throw APIError(.notFound, message: "The claim was not found.")
            }
            throw APIError(
                .conflict, message: "Only a FAILED claim can be retried.",
                details: ["status": .string(existing.status.rawValue)])
        }
        logger.notice("FAILED claim reopened for a new round of attempts", metadata: ["claim.id": .string(id.hex)])
        switch try await completeOrLeaveToWorker(claim, logger: logger) {
        case .granted(let granted)?:
            return granted
        case .outOfStock?:
            return try await claims.find(id) ?? claim
        case nil:
            return claim
        }
    }

    /// Runs `complete(_:)`; when a database error (or an injected fault) interrupts it,
    /// the claim stays PENDING, its next attempt is scheduled after the first backoff, and
    /// `nil` is returned — the retry worker finishes it.
    private func completeOrLeaveToWorker(_ claim: ClaimDocument, logger: Logger) async throws -> Completion? {
        do {
            return try await complete(claim, logger: logger)
        } catch let error as APIError {
            throw error
        } catch {
            logger.warning(
                "claim payout interrupted; left to the retry worker",
                metadata: ["claim.id": .string(claim.id.hex), "error.description": .string(String(describing: error))])
            let retryAt = clock.now().addingTimeInterval(ClaimBackoff.delay(afterAttempt: 1, workers: workers))
            try? await claims.scheduleRetry(claim.id, at: retryAt, now: clock.now())
            return nil
        }
    }

    /// What the payout of a PENDING claim came to.
    enum Completion: Sendable {
        case granted(ClaimDocument)
        case outOfStock(rewardID: ObjectID)
    }

    /// Pays out a PENDING claim: reserves a unit of each stocked reward (idempotent per
    /// claim), writes one ledger entry per reward (unique per claim and reward), then
    /// marks it GRANTED. Out of stock → the units this claim holds are given back and the
    /// claim becomes REJECTED/OUT_OF_STOCK, nothing else changed.
    /// - Throws: `MongoError` (or an injected fault) mid-way; the claim stays PENDING and
    ///   calling this again continues where it stopped.
    func complete(_ claim: ClaimDocument, logger: Logger) async throws -> Completion {
        for entry in claim.payout where entry.stocked {
            if try await stock.reserve(rewardID: entry.rewardId, claimID: claim.id) { continue }
            if try await stock.isReserved(rewardID: entry.rewardId, claimID: claim.id) { continue }
            for held in claim.payout where held.stocked {
                try await stock.release(rewardID: held.rewardId, claimID: claim.id)
            }
            _ = try await claims.markOutOfStock(claim.id, at: clock.now())
            logger.info(
                "claim rejected: out of stock",
                metadata: ["claim.id": .string(claim.id.hex), "reward.id": .string(entry.rewardId.hex)])
            return .outOfStock(rewardID: entry.rewardId)
        }
        try await faults.reached(.stockReserved)
        let grantedAt = clock.now()
        for (index, entry) in claim.payout.enumerated() {
            try await ledger.record(LedgerEntryDocument(claim: claim, payout: entry, grantedAt: grantedAt))
            try await faults.reached(.ledgerEntryWritten(index: index))
        }
        if try await claims.markGranted(claim.id, at: grantedAt) {
            var granted = claim
            granted.status = .granted
            granted.grantedAt = grantedAt
            granted.updatedAt = grantedAt
            granted.leaseUntil = nil
            logger.info("claim granted", metadata: ["claim.id": .string(claim.id.hex)])
            return .granted(granted)
        }
        // Another replica finished it first.
        guard let stored = try await claims.find(claim.id), stored.status == .granted else {
            throw ClaimProcessingError.unexpectedState
        }
        return .granted(stored)
    }

    private func newClaim(event: EventDocument, userID: ObjectID, evaluation: Evaluation, now: Date) -> ClaimDocument {
        let state = ClaimStateMachine.evaluated(conditionsMet: evaluation.met)
        return ClaimDocument(
            id: ObjectID(), eventId: event.id, userId: userID, status: state.status, reason: state.reason,
            grantLock: state.holdsGrantLock ? true : nil, progress: evaluation.progress,
            activityIds: evaluation.met ? evaluation.activityIDs : [],
            payout: evaluation.met ? event.rewards.map(Self.plannedPayout) : [],
            attempts: 1,
            leaseUntil: evaluation.met ? now.addingTimeInterval(workers.leaseDuration.timeInterval) : nil,
            createdAt: now, updatedAt: now, grantedAt: nil)
    }

    private static func plannedPayout(_ reward: RewardDocument) -> PayoutEntry {
        PayoutEntry(
            rewardId: reward.id, type: reward.type, name: reward.name, amount: reward.amount,
            itemCode: reward.itemCode, quantity: reward.quantity,
            couponCode: reward.couponTemplate.map(CouponCode.mint(template:)), stocked: reward.stock != nil)
    }
}

/// A claim found in a state its payout cannot continue from.
enum ClaimProcessingError: Error, CustomStringConvertible {
    case unexpectedState

    var description: String { "the claim left PENDING without being granted" }
}

extension ConditionProgress {
    /// `{type, current, required, met}` for an error's details.
    var json: JSONValue {
        ["type": .string(type), "current": .double(current), "required": .double(required), "met": .bool(met)]
    }
}

extension Duration {
    /// The duration in seconds, as Foundation counts time.
    var timeInterval: TimeInterval {
        let (seconds, attoseconds) = components
        return Double(seconds) + Double(attoseconds) / 1e18
    }
}
