import JWTKit
public import Logging

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Verifies the platform's access tokens: a compact JWS whose header says `alg: ES256`
/// and names (by `kid`) a key of `keys`, whose signature that key verifies, and whose
/// claims are inside their time window and name our issuer and audience. Anything else —
/// `alg: none`, HS256 keyed with the public key, a forged, zero or DER signature, an
/// unknown or missing `kid`, a `crit` header, a `typ` other than a JWT — is a 401 with no
/// reason in the body (STYLE §15); the reason goes to the debug log.
///
/// The signature check is jwt-kit's ES256 algorithm, called on the caller's thread (see
/// `VerifyingKeys`): a token verifies without suspending unless its `kid` is unknown, when
/// `refreshKeys` (if given) may fetch new keys once — key rotation without a restart.
///
/// With a `failureBudget`, a client address that sent too many forged tokens has its
/// tokens the cache does not hold refused unchecked (429) until its window ends (see
/// `TokenFailureBudget`).
public struct TokenVerifier: Sendable {
    /// The longest token looked at, in bytes: bounds the work an attacker can ask for.
    static let maximumTokenLength = 8_192

    /// The public keys (auth's JWKS), by `kid`.
    public let keys: VerifyingKeys
    public let expectations: TokenExpectations
    private let refreshKeys: (@Sendable () async -> Bool)?
    /// Tokens already verified (see `VerifiedTokenCache`); `nil` verifies every time.
    public let cache: VerifiedTokenCache?
    /// Counts every check of a token against the keys, by outcome; `nil` counts nothing.
    private let metrics: TokenVerificationMetrics?
    /// Tokens just rejected for good, refused again without a check.
    let recentlyRejected = RecentlyRejectedTokens()
    /// Failed checks allowed per client address; `nil` allows any number.
    public let failureBudget: TokenFailureBudget?

    /// - Parameters:
    ///   - keys: The ES256 public keys tokens may be signed with.
    ///   - expectations: The issuer and audience to insist on.
    ///   - refreshKeys: Called when a token's `kid` is unknown; returns whether new keys
    ///     arrived (the caller rate-limits it).
    ///   - cache: Remembers verified tokens; `nil` (the default) verifies every time.
    ///   - metrics: Counts the checks against the keys; `nil` (the default) counts nothing.
    ///   - failureBudget: Failed checks allowed per client address; `nil` (the default)
    ///     allows any number.
    public init(
        keys: VerifyingKeys, expectations: TokenExpectations = TokenExpectations(),
        refreshKeys: (@Sendable () async -> Bool)? = nil, cache: VerifiedTokenCache? = nil,
        metrics: TokenVerificationMetrics? = nil, failureBudget: TokenFailureBudget? = nil
    ) {
        self.keys = keys
        self.expectations = expectations
        self.refreshKeys = refreshKeys
        self.cache = cache
        self.metrics = metrics
        self.failureBudget = failureBudget
    }

    /// The identity of a valid token.
    /// - Parameters:
    ///   - token: The token text.
    ///   - client: The sender's IP address, for the `failureBudget`; `nil` when unknown.
    ///     Read only for a token not in the cache, and only with a budget.
    ///   - logger: Where the reason of a rejection goes (debug level).
    /// - Throws: `APIError` `UNAUTHORIZED` for any token that is not valid; `RATE_LIMITED`
    ///   (with `Retry-After`) for a token not in the cache when `client` has no failed
    ///   checks left.
    public func verify(
        _ token: String, client: @autoclosure () -> String? = nil, logger: Logger? = nil
    ) async throws -> CallerIdentity {
        // Bound the work an attacker can ask for before any parsing.
        guard token.utf8.count <= Self.maximumTokenLength else { throw Self.rejection("token too long", logger) }
        if let cache, let identity = cache.identity(for: token) {
            return identity
        }
        let client = failureBudget == nil ? nil : client()
        var outcome = check(token, client: client)
        if case .unknownKeyID = outcome {
            guard let refreshKeys, await refreshKeys() else { throw Self.rejection("unknown kid", logger) }
            outcome = check(token, client: client)
        }
        switch outcome {
        case .valid(let claims):
            return accept(token, claims)
        case .unknownKeyID:
            throw Self.rejection("unknown kid", logger)
        case .invalid(let reason, _):
            throw Self.rejection(reason, logger)
        case .refused(let seconds):
            metrics?.countRefusal()
            throw Self.refusal(retryAfter: seconds, logger)
        }
    }

    /// The identity of `token` when it can be established without suspending and without
    /// duplicating work the caller would redo: a token in the cache; with no cache, a
    /// token that verifies against the keys held now. `nil` otherwise (not cached yet,
    /// invalid, unknown `kid`) — the caller then takes the `verify(_:logger:)` path, which
    /// decides, logs and fills the cache. Never throws, never logs.
    /// - Parameters:
    ///   - token: The token text.
    ///   - client: The sender's IP address, for the `failureBudget`; `nil` when unknown.
    public func identityWithoutSuspending(_ token: String, client: String?) -> CallerIdentity? {
        guard token.utf8.count <= Self.maximumTokenLength else { return nil }
        if let cache { return cache.identity(for: token) }
        guard case .valid(let claims) = check(token, client: client) else { return nil }
        return claims.identity
    }

    /// `identityWithoutSuspending(_:)` for a caller that keeps the answer (one client
    /// connection that sends the same token again): the cache's entry for `token`, to be
    /// checked with `VerifiedTokenCache.isCurrent` before each use. `nil` without a cache,
    /// or when the token is not in it.
    public func remembered(_ token: String) -> VerifiedTokenCache.Remembered? {
        guard let cache, token.utf8.count <= Self.maximumTokenLength else { return nil }
        return cache.remembered(for: token)
    }

    /// What `verify` would throw for a token the cache does not hold, when that is known
    /// without checking a signature: `UNAUTHORIZED` for a token too long or rejected for
    /// good a moment ago, `RATE_LIMITED` (counted as a refusal) when `client` has no failed
    /// checks left. `nil` when only a check can tell. Never suspends, never logs.
    /// - Parameters:
    ///   - token: The token text.
    ///   - client: The sender's IP address, for the `failureBudget`; `nil` when unknown.
    public func knownFailure(of token: String, client: String?) -> APIError? {
        guard token.utf8.count <= Self.maximumTokenLength else { return .invalidAccessToken }
        switch quickOutcome(token, client: client) {
        case .invalid?:
            return .invalidAccessToken
        case .refused(let seconds)?:
            metrics?.countRefusal()
            return Self.refusal(retryAfter: seconds, nil)
        case .valid?, .unknownKeyID?, nil:
            return nil
        }
    }

    /// What one look at a token found.
    private enum Outcome {
        case valid(AccessTokenClaims)
        case unknownKeyID
        case invalid(String, Failure = .forged)
        /// Not looked at: the sender has no failed checks left for this many seconds.
        case refused(retryAfter: Int)
    }

    /// Why a token failed, which says whether it is remembered as rejected and whether it
    /// counts against its sender.
    private enum Failure {
        /// Not issued by auth for us: never passes, and counts against the sender.
        case forged
        /// Past its `exp`: never passes, but every client sends one now and then.
        case expired
        /// Before its `nbf`: may pass later.
        case notYetValid

        /// Whether the token can never pass (it is then remembered as rejected).
        var isLasting: Bool { self != .notYetValid }
        /// Whether it counts against its sender's `failureBudget`.
        var countsAgainstSender: Bool { self == .forged }
    }

    /// `evaluate(_:)`, counted by outcome, unless the token was just rejected for good (the
    /// same answer again, `RecentlyRejectedTokens`) or its sender has no failed checks left.
    private func check(_ token: String, client: String?) -> Outcome {
        if let known = quickOutcome(token, client: client) { return known }
        let outcome = evaluate(token)
        if case .invalid(let reason, let failure) = outcome {
            if failure.isLasting { recentlyRejected.insert(token, reason: reason) }
            if failure.countsAgainstSender, let client { failureBudget?.recordFailure(of: client) }
        }
        if let metrics {
            switch outcome {
            case .valid: metrics.countCheck(.valid)
            case .unknownKeyID: metrics.countCheck(.unknownKeyID)
            case .invalid: metrics.countCheck(.invalid)
            case .refused: break
            }
        }
        return outcome
    }

    /// The outcome known before any check: the token was just rejected for good, or its
    /// sender has no failed checks left; `nil` otherwise.
    private func quickOutcome(_ token: String, client: String?) -> Outcome? {
        if let reason = recentlyRejected.reason(for: token) { return .invalid(reason) }
        if let client, let failureBudget, let seconds = failureBudget.secondsUntilChecksResume(for: client) {
            return .refused(retryAfter: seconds)
        }
        return nil
    }

    /// Parses and checks `token` against the keys held now; never suspends.
    private func evaluate(_ token: String) -> Outcome {
        guard let jws = CompactJWS(token) else { return .invalid("not a compact JWS") }
        guard jws.header.alg == "ES256" else { return .invalid("alg is not ES256") }
        guard jws.header.crit == nil else { return .invalid("crit header") }
        guard jws.header.isAccessTokenType else { return .invalid("typ is not a JWT") }
        guard let kid = jws.header.kid else { return .invalid("no kid") }
        guard let algorithm = keys.algorithm(for: kid) else { return .unknownKeyID }
        // ES256 signatures are the raw 64-byte R || S (RFC 7518 §3.4), never DER.
        guard jws.signature.count == 64, (try? algorithm.verify(jws.signature, signs: jws.signingInput)) == true
        else { return .invalid("signature") }
        let claims: AccessTokenClaims
        do {
            claims = try Self.payloadDecoder.decode(AccessTokenClaims.self, from: Data(jws.payload))
        } catch {
            return .invalid("claims do not decode: \(error)")
        }
        let now = Date()
        do {
            try claims.exp.verifyNotExpired(currentDate: now)
        } catch {
            return .invalid("expired", .expired)
        }
        do {
            try claims.nbf?.verifyNotBefore(currentDate: now)
        } catch {
            return .invalid("not valid yet", .notYetValid)
        }
        guard expectations.accepts(claims) else { return .invalid("issuer or audience") }
        return .valid(claims)
    }

    private func accept(_ token: String, _ claims: AccessTokenClaims) -> CallerIdentity {
        cache?.store(token, claims: claims)
        return claims.identity
    }

    /// Claims times are seconds since 1970 (RFC 7519 NumericDate), as jwt-kit writes them.
    private static let payloadDecoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .secondsSince1970
        return decoder
    }()

    private static func rejection(_ reason: String, _ logger: Logger?) -> APIError {
        logger?.debug("access token rejected", metadata: ["reason": .string(String(reason.prefix(200)))])
        return .invalidAccessToken
    }

    private static func refusal(retryAfter seconds: Int, _ logger: Logger?) -> APIError {
        logger?.debug("access token refused unchecked: its sender has no failed checks left")
        return .rateLimited("Too many invalid access tokens from this address; try again later.", retryAfter: seconds)
    }
}

extension APIError {
    /// 401 `UNAUTHORIZED` for a bearer token that is not valid, whatever the reason (which
    /// only the debug log gets, STYLE §15), or an `Authorization` that is not a bearer token.
    public static var invalidAccessToken: APIError {
        APIError(.unauthorized, message: "The access token is not valid.")
    }
}
