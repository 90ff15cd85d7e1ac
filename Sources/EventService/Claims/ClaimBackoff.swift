import Foundation
import PlatformCore

/// When a PENDING claim is tried again: the configured backoff after the first attempt,
/// doubling per attempt, at most 64 times the backoff.
enum ClaimBackoff {
    static func delay(afterAttempt attempt: Int, workers: EventWorkersConfiguration) -> TimeInterval {
        let doublings = min(max(attempt - 1, 0), 6)
        return workers.claimRetryBackoff.timeInterval * Double(1 << doublings)
    }
}
