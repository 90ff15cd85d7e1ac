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
/// Thread-safe; lookups take one short lock.
public final class VerifiedTokenCache: Sendable {
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

    /// Creates a cache.
    /// - Parameters:
    ///   - capacity: The most tokens kept; 10,000 by default.
    ///   - maximumAge: How long an entry is trusted after verification; 30 s by default.
    public init(capacity: Int = 10_000, maximumAge: Duration = .seconds(30)) {
        self.capacity = max(1, capacity)
        self.maximumAge = maximumAge
    }

    /// The identity of `token` if it was verified and is still within its window.
    /// - Parameters:
    ///   - token: The token text.
    ///   - now: Seconds since 1970 (for tests).
    func identity(for token: String, now: Double = VerifiedTokenCache.now()) -> CallerIdentity? {
        guard let entry = entries.withLock({ $0[token] }) else { return nil }
        guard now >= entry.notBefore, now < entry.usableUntil else { return nil }
        return entry.identity
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
            if entries.count >= capacity {
                entries = entries.filter { $0.value.usableUntil > now }
                if entries.count >= capacity { entries.removeAll(keepingCapacity: true) }
            }
            entries[token] = entry
        }
    }

    /// Forgets every token (e.g. after a signing key was withdrawn).
    public func removeAll() {
        entries.withLock { $0.removeAll() }
    }

    /// How many tokens are kept.
    public var count: Int { entries.withLock { $0.count } }

    static func now() -> Double {
        Date().timeIntervalSince1970
    }
}
