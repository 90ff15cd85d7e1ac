import Synchronization

/// Tokens that failed a check for a reason that cannot change — malformed, a bad
/// signature, the wrong issuer or audience, expired — remembered for a few seconds, so the same
/// token is not checked again at once: a client repeating one forged token costs one ES256
/// check, not one a request (the gateway's byte-level path refuses it again without a task,
/// `TokenVerifier.knownFailure`), and a rejection the router sees again (a connection on the
/// codec path, a verifier without a cache) is not checked twice.
///
/// Only ever makes a rejection faster: a token is looked up here before it is checked, and
/// one found is rejected as before, for the reason it was. A token not valid yet, or signed
/// with an unknown key, is never remembered (it may become valid). At most
/// `capacity` tokens are kept (`Dictionary.makeRoom`). Thread-safe; one short lock a look.
final class RecentlyRejectedTokens: Sendable {
    /// The most tokens kept.
    let capacity: Int
    /// How long, in seconds, a rejection is remembered.
    let lifetime: Double
    private let rejections = Mutex<[String: Rejection]>([:])

    private struct Rejection {
        let reason: String
        let until: Double
    }

    /// - Parameters:
    ///   - capacity: The most tokens kept; 256 by default.
    ///   - lifetime: Seconds a rejection is remembered; 2 by default.
    init(capacity: Int = 256, lifetime: Double = 2) {
        self.capacity = max(1, capacity)
        self.lifetime = lifetime
    }

    /// Why `token` was rejected, if that was less than `lifetime` ago.
    func reason(for token: String, now: Double = VerifiedTokenCache.now()) -> String? {
        rejections.withLock { $0[token] }.flatMap { now < $0.until ? $0.reason : nil }
    }

    /// Remembers that `token` was just rejected, and why.
    func insert(_ token: String, reason: String, now: Double = VerifiedTokenCache.now()) {
        rejections.withLock { rejections in
            rejections.makeRoom(for: token, capacity: capacity, keeping: { $0.until > now })
            rejections[token] = Rejection(reason: reason, until: now + lifetime)
        }
    }

    /// How many tokens are kept.
    var count: Int { rejections.withLock { $0.count } }
}
