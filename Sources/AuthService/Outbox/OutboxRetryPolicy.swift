/// What the relay does after one delivery attempt, and how long it waits before the next:
/// pure decisions, tested without a database or a network.
struct OutboxRetryPolicy: Sendable, Equatable {
    /// The wait after the first failed attempt.
    var initialBackoff: Duration
    /// The longest wait between attempts.
    var maximumBackoff: Duration

    /// The fate of a batch after the event service answered (or did not).
    enum Outcome: Equatable, Sendable {
        /// Accepted (2xx): mark delivered.
        case delivered
        /// Worth trying again later: the service is down, overloaded, or does not (yet)
        /// accept our token (401/403 while its key set catches up).
        case retry
        /// Refused for good (a 4xx no retry can fix): mark failed and log loudly.
        case reject
    }

    /// The outcome of an HTTP answer with `status`; `nil` (no answer: connection refused,
    /// timeout) is a retry.
    static func outcome(forStatus status: Int?) -> Outcome {
        guard let status else { return .retry }
        switch status {
        case 200..<300: return .delivered
        case 401, 403, 408, 425, 429: return .retry
        case 400..<500: return .reject
        default: return .retry
        }
    }

    /// The wait before attempt `attempts + 1`, after `attempts` (≥ 1) failed ones: doubling
    /// from `initialBackoff`, capped at `maximumBackoff`, shortened by up to 20 % at random
    /// (`jitter` in 0…1) so replicas do not retry in lockstep.
    func backoff(afterAttempts attempts: Int, jitter: Double) -> Duration {
        let doublings = min(max(attempts - 1, 0), 30)
        var delay = initialBackoff
        for _ in 0..<doublings {
            delay = delay * 2
            if delay >= maximumBackoff { break }
        }
        delay = min(delay, maximumBackoff)
        return delay * (1 - 0.2 * min(max(jitter, 0), 1))
    }
}
