import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A budget of failed token checks per client address, so a client sending forged tokens
/// cannot make the gateway spend an ES256 verification on each: once `limit` of its tokens
/// failed a check inside one window, its tokens the cache does not hold are refused (429
/// with `Retry-After`) without a check until the window ends. Tokens already verified keep
/// working, a token just rejected is still answered 401 (`RecentlyRejectedTokens`), and
/// other clients are not affected.
///
/// Only failures that prove a token was not issued by auth count: malformed, a bad
/// signature, the wrong issuer or audience. A genuine token that expired, is not valid
/// yet, or names a key not loaded yet never counts (every client meets those), nor does a
/// token answered without a check. A window opens at a client's first counted failure and
/// lasts `windowSeconds` (as `LoginRateLimiter`'s do), so a burst cannot straddle a
/// boundary to get twice the limit.
///
/// An IPv6 client is counted by its /64 prefix (the block one host is usually given); an
/// IPv4 client, or an IPv4-mapped IPv6 one, by its address. At most `capacity` clients
/// are tracked: when the table is full, windows that ended go first, then those not used
/// up; a used-up window never goes before its end (that would lift its refusal), so with
/// `capacity` clients refused at once, a new one goes uncounted until a window ends — an
/// attacker with that many addresses or /64s needs a defence in front of the gateway.
/// Thread-safe; one short lock a look, and only for a token the cache does not hold.
public final class TokenFailureBudget: Sendable {
    /// The failed checks a client may cause in one window.
    public let limit: Int
    /// How long a window lasts, in seconds.
    public let windowSeconds: Int
    /// The most clients tracked at once.
    public let capacity: Int
    private let windows = Mutex<[String: Window]>([:])

    private struct Window {
        var failures: Int
        let end: Double
    }

    /// - Parameters:
    ///   - limit: Failed checks a client may cause per window (at least 1).
    ///   - windowSeconds: The window's length (at least 1).
    ///   - capacity: The most clients tracked; 10,000 by default.
    public init(limit: Int, windowSeconds: Int, capacity: Int = 10_000) {
        self.limit = max(1, limit)
        self.windowSeconds = max(1, windowSeconds)
        self.capacity = max(1, capacity)
    }

    /// The seconds until `client`'s window ends when it has no failures left in it; `nil`
    /// when its tokens may be checked.
    /// - Parameters:
    ///   - client: The client's IP address.
    ///   - now: Seconds since 1970 (for tests).
    func secondsUntilChecksResume(for client: String, now: Double = VerifiedTokenCache.now()) -> Int? {
        let key = Self.key(for: client)
        guard let window = windows.withLock({ $0[key] }), now < window.end, window.failures >= limit else {
            return nil
        }
        return max(1, Int((window.end - now).rounded(.up)))
    }

    /// Counts one failed check caused by `client`.
    /// - Parameters:
    ///   - client: The client's IP address.
    ///   - now: Seconds since 1970 (for tests).
    func recordFailure(of client: String, now: Double = VerifiedTokenCache.now()) {
        let key = Self.key(for: client)
        windows.withLock { windows in
            if var window = windows[key], now < window.end {
                window.failures += 1
                windows[key] = window
                return
            }
            if windows.count >= capacity, windows[key] == nil {
                windows = windows.filter { $0.value.end > now }
                if windows.count >= capacity { windows = windows.filter { $0.value.failures >= limit } }
                guard windows.count < capacity else { return }
            }
            windows[key] = Window(failures: 1, end: now + Double(windowSeconds))
        }
    }

    /// How many clients are tracked.
    var count: Int { windows.withLock { $0.count } }

    /// What a client is counted by: an IPv6 address's first 64 bits, written as hex with a
    /// `/64` suffix; an IPv4-mapped IPv6 address's IPv4 address; anything else as given.
    static func key(for address: String) -> String {
        guard address.contains(":") else { return address }
        var parsed = in6_addr()
        guard inet_pton(AF_INET6, address, &parsed) == 1 else { return address }
        let bytes = withUnsafeBytes(of: parsed) { Array($0) }
        if bytes[0..<10].allSatisfy({ $0 == 0 }), bytes[10] == 0xff, bytes[11] == 0xff {
            return bytes[12...].map(String.init).joined(separator: ".")
        }
        let hex = bytes[0..<8].map { byte in
            let digits = String(byte, radix: 16)
            return byte < 16 ? "0" + digits : digits
        }
        return hex.joined() + "/64"
    }
}
