import JWTKit
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Access tokens already verified, so a client that sends the same token on every request
/// pays for one ES256 verification, not one per request (the approach of Envoy's
/// `jwt_authn` token cache).
///
/// The key is the exact token text, so only a byte-identical copy of a token that passed
/// full verification can hit. An entry is used only inside the token's own time window
/// (`nbf` … `exp`) and for at most `maximumAge` after it was verified, which bounds how
/// long a token of a key auth has since withdrawn stays accepted; `removeAll()` (called
/// by `JWKSRefresher` when a key is withdrawn) ends that at once. At most `capacity`
/// tokens are kept; when full, expired entries go first, then the whole cache is cleared
/// (a cheap, bounded reset rather than an LRU list on the hot path).
///
/// Thread-safe; lookups take one short lock. A caller that sees the same token again and
/// again (one client connection) may keep what a lookup gave (`remembered(for:)`) and ask
/// `isCurrent` instead of looking up: the same window holds, and `removeAll()` ends it.
public final class VerifiedTokenCache: Sendable {
    /// What the cache knows of one verified token, as a caller may keep it: the identity,
    /// the window it may be used in, and the cache's generation when it was read.
    public struct Remembered: Sendable {
        public let identity: CallerIdentity
        let notBefore: Double
        let usableUntil: Double
        let generation: UInt64
    }

    private struct Entry: Sendable {
        let identity: CallerIdentity
        let notBefore: Double
        let usableUntil: Double
    }

    /// The most tokens kept.
    public let capacity: Int
    /// The longest an entry is trusted after its verification.
    public let maximumAge: Duration
    private let entries = Mutex<[String: Entry]>([:])
    /// Counts the resets of a full cache; `nil` counts nothing.
    private let metrics: TokenVerificationMetrics?
    /// Moves on at every `removeAll()`: a `Remembered` of an older generation is void.
    private let generation = Atomic<UInt64>(0)

    /// Creates a cache.
    /// - Parameters:
    ///   - capacity: The most tokens kept; 10,000 by default.
    ///   - maximumAge: How long an entry is trusted after verification; 30 s by default.
    ///   - metrics: Counts the times a full cache is emptied; `nil` (the default) counts
    ///     nothing.
    public init(
        capacity: Int = 10_000, maximumAge: Duration = .seconds(30), metrics: TokenVerificationMetrics? = nil
    ) {
        self.capacity = max(1, capacity)
        self.maximumAge = maximumAge
        self.metrics = metrics
    }

    /// The identity of `token` if it was verified and is still within its window.
    /// - Parameters:
    ///   - token: The token text.
    ///   - now: Seconds since 1970 (for tests).
    func identity(for token: String, now: Double = VerifiedTokenCache.now()) -> CallerIdentity? {
        remembered(for: token, now: now)?.identity
    }

    /// `identity(for:now:)` as a caller may keep it (see `isCurrent(_:now:)`).
    /// - Parameters:
    ///   - token: The token text.
    ///   - now: Seconds since 1970 (for tests).
    public func remembered(for token: String, now: Double = VerifiedTokenCache.now()) -> Remembered? {
        let found = entries.withLock { entries in
            entries[token].map { ($0, generation.load(ordering: .acquiring)) }
        }
        guard let (entry, generation) = found, now >= entry.notBefore, now < entry.usableUntil else { return nil }
        return Remembered(
            identity: entry.identity, notBefore: entry.notBefore, usableUntil: entry.usableUntil,
            generation: generation)
    }

    /// Whether `remembered` may still be used: inside its window, and no `removeAll()`
    /// since it was read. No lock.
    /// - Parameters:
    ///   - remembered: What `remembered(for:now:)` gave.
    ///   - now: Seconds since 1970 (for tests).
    public func isCurrent(_ remembered: Remembered, now: Double = VerifiedTokenCache.now()) -> Bool {
        remembered.generation == generation.load(ordering: .acquiring) && now >= remembered.notBefore
            && now < remembered.usableUntil
    }

    /// Remembers a token that just passed full verification.
    /// - Parameters:
    ///   - token: The token text.
    ///   - claims: Its verified claims (for the time window).
    ///   - now: Seconds since 1970 (for tests).
    func store(_ token: String, claims: AccessTokenClaims, now: Double = VerifiedTokenCache.now()) {
        let age = Double(maximumAge.components.seconds) + Double(maximumAge.components.attoseconds) / 1e18
        let entry = Entry(
            identity: claims.identity,
            notBefore: claims.nbf?.value.timeIntervalSince1970 ?? -.infinity,
            usableUntil: min(claims.exp.value.timeIntervalSince1970, now + age)
        )
        entries.withLock { entries in
            if entries.makeRoom(for: token, capacity: capacity, keeping: { $0.usableUntil > now }) {
                metrics?.countCacheReset()
            }
            entries[token] = entry
        }
    }

    /// Forgets every token (e.g. after a signing key was withdrawn).
    public func removeAll() {
        entries.withLock { entries in
            entries.removeAll()
            generation.add(1, ordering: .releasing)
        }
    }

    /// How many tokens are kept.
    public var count: Int { entries.withLock { $0.count } }

    /// Seconds since 1970, the clock of the cache's windows.
    public static func now() -> Double {
        Date().timeIntervalSince1970
    }
}
