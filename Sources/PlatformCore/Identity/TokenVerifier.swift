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
/// unknown or missing `kid`, a `crit` header — is a 401 with no reason in the body
/// (STYLE §15); the reason goes to the debug log.
///
/// The signature check is jwt-kit's ES256 algorithm, called on the caller's thread (see
/// `VerifyingKeys`): a token verifies without suspending unless its `kid` is unknown, when
/// `refreshKeys` (if given) may fetch new keys once — key rotation without a restart.
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

    /// - Parameters:
    ///   - keys: The ES256 public keys tokens may be signed with.
    ///   - expectations: The issuer and audience to insist on.
    ///   - refreshKeys: Called when a token's `kid` is unknown; returns whether new keys
    ///     arrived (the caller rate-limits it).
    ///   - cache: Remembers verified tokens; `nil` (the default) verifies every time.
    ///   - metrics: Counts the checks against the keys; `nil` (the default) counts nothing.
    public init(
        keys: VerifyingKeys, expectations: TokenExpectations = TokenExpectations(),
        refreshKeys: (@Sendable () async -> Bool)? = nil, cache: VerifiedTokenCache? = nil,
        metrics: TokenVerificationMetrics? = nil
    ) {
        self.keys = keys
        self.expectations = expectations
        self.refreshKeys = refreshKeys
        self.cache = cache
        self.metrics = metrics
    }

    /// The identity of a valid token.
    /// - Throws: `APIError` `UNAUTHORIZED` for any token that is not valid.
    public func verify(_ token: String, logger: Logger? = nil) async throws -> CallerIdentity {
        // Bound the work an attacker can ask for before any parsing.
        guard token.utf8.count <= Self.maximumTokenLength else { throw Self.rejection("token too long", logger) }
        if let cache, let identity = cache.identity(for: token) {
            return identity
        }
        switch check(token) {
        case .valid(let claims):
            return accept(token, claims)
        case .unknownKeyID:
            guard let refreshKeys, await refreshKeys() else { throw Self.rejection("unknown kid", logger) }
            guard case .valid(let claims) = check(token) else { throw Self.rejection("unknown kid", logger) }
            return accept(token, claims)
        case .invalid(let reason, _):
            throw Self.rejection(reason, logger)
        }
    }

    /// The identity of `token` when it can be established without suspending and without
    /// duplicating work the caller would redo: a token in the cache; with no cache, a
    /// token that verifies against the keys held now. `nil` otherwise (not cached yet,
    /// invalid, unknown `kid`) — the caller then takes the `verify(_:logger:)` path, which
    /// decides, logs and fills the cache. Never throws, never logs.
    public func identityWithoutSuspending(_ token: String) -> CallerIdentity? {
        guard token.utf8.count <= Self.maximumTokenLength else { return nil }
        if let cache { return cache.identity(for: token) }
        guard case .valid(let claims) = check(token) else { return nil }
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

    /// What one look at a token found.
    private enum Outcome {
        case valid(AccessTokenClaims)
        case unknownKeyID
        /// `lasting`: the token can never pass (it is then remembered as rejected).
        case invalid(String, lasting: Bool = true)
    }

    /// `evaluate(_:)`, counted by outcome, unless the token was just rejected for good.
    private func check(_ token: String) -> Outcome {
        if let reason = recentlyRejected.reason(for: token) { return .invalid(reason) }
        let outcome = evaluate(token)
        if case .invalid(let reason, lasting: true) = outcome { recentlyRejected.insert(token, reason: reason) }
        if let metrics {
            switch outcome {
            case .valid: metrics.countCheck(.valid)
            case .unknownKeyID: metrics.countCheck(.unknownKeyID)
            case .invalid: metrics.countCheck(.invalid)
            }
        }
        return outcome
    }

    /// Parses and checks `token` against the keys held now; never suspends.
    private func evaluate(_ token: String) -> Outcome {
        guard let jws = CompactJWS(token) else { return .invalid("not a compact JWS") }
        guard jws.header.alg == "ES256" else { return .invalid("alg is not ES256") }
        guard jws.header.crit == nil else { return .invalid("crit header") }
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
        do {
            try claims.checkTimeWindow()
        } catch {
            return .invalid("outside its time window", lasting: false)
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
        return APIError(.unauthorized, message: "The access token is not valid.")
    }
}
