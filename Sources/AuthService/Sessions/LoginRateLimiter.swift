import HTTPTypes
import Logging
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Limits failed logins per email and per client IP, with counters in MongoDB so the limit
/// holds across replicas.
///
/// Every attempt first takes a slot in both counters (an atomic increment), so a burst of
/// parallel guesses cannot all slip past a check; the attempt over the limit gets 429 with
/// `Retry-After` (the seconds until its window ends). A window opens at the first attempt
/// of a key and lasts its configured length, so a burst cannot straddle a clock boundary to
/// get twice the limit. A successful login gives its slots back: the email's counter
/// starts over and the IP's loses the attempt.
struct LoginRateLimiter: Sendable {
    let attempts: any LoginAttemptRepository
    let limits: AuthSettings.LoginRateLimit

    /// The counters one attempt took, to give back on success.
    struct Reservation: Sendable {
        fileprivate var email: Slot
        fileprivate var address: Slot?
    }

    fileprivate struct Slot: Sendable {
        var key: String
        var windowStart: Date
    }

    /// Counts one attempt for `email` and `clientAddress`.
    /// - Throws: `APIError` `RATE_LIMITED` with `Retry-After` when either counter is past its
    ///   limit; `MongoError` when the counters cannot be reached.
    func reserve(email: String, clientAddress: String?, now: Date = Date()) async throws -> Reservation {
        async let emailCounter = attempts.increment(
            key: "email:" + email, now: now, windowSeconds: limits.emailWindowSeconds)

        var addressSlot: Slot?
        var retryAt: Date?
        if let clientAddress {
            let key = "ip:" + clientAddress
            let counter = try await attempts.increment(key: key, now: now, windowSeconds: limits.ipWindowSeconds)
            addressSlot = Slot(key: key, windowStart: counter.windowStart)
            if counter.count > limits.attemptsPerIP { retryAt = counter.windowEnd }
        }
        let emailCount = try await emailCounter
        let emailSlot = Slot(key: "email:" + email, windowStart: emailCount.windowStart)
        if emailCount.count > limits.attemptsPerEmail {
            retryAt = max(retryAt ?? emailCount.windowEnd, emailCount.windowEnd)
        }
        if let retryAt {
            throw APIError.rateLimited(
                "Too many login attempts; try again later.",
                retryAfter: Int((retryAt.timeIntervalSince(now)).rounded(.up)))
        }
        return Reservation(email: emailSlot, address: addressSlot)
    }

    /// Gives back what a successful attempt took. Failures are only logged: the login
    /// itself succeeded, and the counters expire with their window anyway.
    func succeeded(_ reservation: Reservation, logger: Logger) async {
        do {
            try await attempts.reset(key: reservation.email.key, windowStart: reservation.email.windowStart)
            if let address = reservation.address {
                try await attempts.decrement(key: address.key, windowStart: address.windowStart)
            }
        } catch {
            logger.warning("login counters not reset", metadata: ["error.description": "\(error)"])
        }
    }
}
