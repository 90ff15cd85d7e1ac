/// The lifecycle of a claim as a pure value (DESIGN §6):
///
/// ```
/// evaluate ─ met ──────► PENDING ─ paid out ───────► GRANTED
///          └ not met ──► REJECTED (CONDITION_NOT_MET)
///                        PENDING ─ out of stock ───► REJECTED (OUT_OF_STOCK)
///                        PENDING ─ attempts spent ─► FAILED ─ staff retry ─► PENDING
/// ```
///
/// GRANTED and REJECTED are final; FAILED is final for the workers — only staff send it
/// back to PENDING (`POST /claims/{id}/retry`, conditional on `status: FAILED`). The
/// processor stores each decision with a write conditional on `status: PENDING`, so
/// concurrent workers cannot both decide.
struct ClaimStateMachine: Sendable, Equatable {
    /// What happened to a PENDING claim.
    enum Event: Sendable, Equatable {
        /// Every ledger entry is written.
        case paidOut
        /// A stocked reward had no unit left.
        case outOfStock
        /// The retry worker gave up.
        case attemptsExhausted
    }

    /// The result of handling an event.
    enum Outcome: Sendable, Equatable {
        case moved(to: ClaimStatus)
        /// The claim is already final; nothing changes.
        case alreadyFinal(ClaimStatus)
    }

    private(set) var status: ClaimStatus
    private(set) var reason: ClaimReason?

    init(status: ClaimStatus, reason: ClaimReason? = nil) {
        self.status = status
        self.reason = reason
    }

    /// The state of a claim whose conditions were just evaluated.
    static func evaluated(conditionsMet: Bool) -> ClaimStateMachine {
        conditionsMet
            ? ClaimStateMachine(status: .pending)
            : ClaimStateMachine(status: .rejected, reason: .conditionNotMet)
    }

    mutating func handle(_ event: Event) -> Outcome {
        switch status {
        case .pending:
            switch event {
            case .paidOut:
                status = .granted
            case .outOfStock:
                status = .rejected
                reason = .outOfStock
            case .attemptsExhausted:
                status = .failed
            }
            return .moved(to: status)
        case .granted, .rejected, .failed:
            return .alreadyFinal(status)
        }
    }

    /// Whether the claim holds the user's one grant for the event (`grantLock`): a FAILED
    /// claim keeps it, since part of its payout may have been written.
    var holdsGrantLock: Bool {
        switch status {
        case .pending, .granted, .failed: true
        case .rejected: false
        }
    }

    /// Whether the retry worker should still work on the claim.
    var needsWork: Bool {
        switch status {
        case .pending: true
        case .granted, .rejected, .failed: false
        }
    }
}
