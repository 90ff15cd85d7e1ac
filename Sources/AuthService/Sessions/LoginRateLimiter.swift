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
/// `Retry-After` (the seconds until its window ends). A successful login gives its slots
/// back: the email's counter starts over and the IP's loses the attempt.
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

    /// A fixed window of `seconds` containing `now`.
    static func window(containing now: Date, seconds: Int) -> (start: Date, end: Date) {
        let length = Double(max(1, seconds))
        let start = (now.timeIntervalSince1970 / length).rounded(.down) * length
        return (Date(timeIntervalSince1970: start), Date(timeIntervalSince1970: start + length))
    }

    /// Counts one attempt for `email` and `clientAddress`.
    /// - Throws: `APIError` `RATE_LIMITED` with `Retry-After` when either counter is past its
    ///   limit; `MongoError` when the counters cannot be reached.
    func reserve(email: String, clientAddress: String?, now: Date = Date()) async throws -> Reservation {
        let emailWindow = Self.window(containing: now, seconds: limits.emailWindowSeconds)
        let emailSlot = Slot(key: "email:" + email, windowStart: emailWindow.start)
        async let emailCount = attempts.increment(
            key: emailSlot.key, windowStart: emailWindow.start, windowEnd: emailWindow.end)

        var addressSlot: Slot?
        var retryAt: Date?
        if let clientAddress {
            let window = Self.window(containing: now, seconds: limits.ipWindowSeconds)
            let slot = Slot(key: "ip:" + clientAddress, windowStart: window.start)
            addressSlot = slot
            if try await attempts.increment(key: slot.key, windowStart: window.start, windowEnd: window.end)
                > limits.attemptsPerIP
            {
                retryAt = window.end
            }
        }
        if try await emailCount > limits.attemptsPerEmail {
            retryAt = max(retryAt ?? emailWindow.end, emailWindow.end)
        }
        if let retryAt {
            let seconds = max(1, Int((retryAt.timeIntervalSince(now)).rounded(.up)))
            throw APIError(
                .rateLimited,
                message: "Too many login attempts; try again later.",
                details: ["retryAfter": .int(seconds)],
                headers: [.retryAfter: String(seconds)]
            )
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
