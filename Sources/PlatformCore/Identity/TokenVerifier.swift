public import JWTKit
public import Logging

/// Verifies the platform's access tokens: an ES256 signature by a key the collection
/// holds (by `kid`), the time window, our issuer and our audience. Anything else — `alg:
/// none`, HS256 keyed with the public key, a forged or zero signature, an unknown `kid` —
/// is a 401 with no reason in the body (STYLE §15); the reason goes to the debug log.
///
/// The key collection only ever holds ES256 keys, so jwt-kit refuses every other
/// algorithm. When a token names a `kid` the collection lacks, `refreshKeys` (if given)
/// may fetch new keys once — key rotation without a restart.
public struct TokenVerifier: Sendable {
    /// The public keys (auth's JWKS), by `kid`.
    public let keys: JWTKeyCollection
    public let expectations: TokenExpectations
    private let refreshKeys: (@Sendable () async -> Bool)?
    /// Tokens already verified (see `VerifiedTokenCache`); `nil` verifies every time.
    public let cache: VerifiedTokenCache?

    /// - Parameters:
    ///   - keys: ES256 public keys only.
    ///   - expectations: The issuer and audience to insist on.
    ///   - refreshKeys: Called when a token's `kid` is unknown; returns whether new keys
    ///     arrived (the caller rate-limits it).
    ///   - cache: Remembers verified tokens; `nil` (the default) verifies every time.
    public init(
        keys: JWTKeyCollection, expectations: TokenExpectations = TokenExpectations(),
        refreshKeys: (@Sendable () async -> Bool)? = nil, cache: VerifiedTokenCache? = nil
    ) {
        self.keys = keys
        self.expectations = expectations
        self.refreshKeys = refreshKeys
        self.cache = cache
    }

    /// The identity of a valid token.
    /// - Throws: `APIError` `UNAUTHORIZED` for any token that is not valid.
    public func verify(_ token: String, logger: Logger? = nil) async throws -> CallerIdentity {
        // Bound the work an attacker can ask for before any parsing.
        guard token.utf8.count <= 8_192 else { throw Self.rejection("token too long", logger) }
        if let cache, let identity = cache.identity(for: token) {
            return identity
        }
        do {
            return try await verifyOnce(token)
        } catch let error as JWTError where Self.mayNeedNewKeys(error) {
            guard let refreshKeys, await refreshKeys() else {
                throw Self.rejection("unknown kid", logger)
            }
            do {
                return try await verifyOnce(token)
            } catch {
                throw Self.rejection(String(describing: error), logger)
            }
        } catch let error as APIError {
            throw error
        } catch {
            throw Self.rejection(String(describing: error), logger)
        }
    }

    /// Whether a failure may mean the token is signed by a key we do not have yet. jwt-kit
    /// does not report an unknown `kid` as such: it falls back to the collection's default
    /// key (a signature failure) or, with no key at all, reports `noKeyProvided`. So these
    /// all ask `refreshKeys`, which rate-limits the fetches a flood of bad tokens can cause.
    private static func mayNeedNewKeys(_ error: JWTError) -> Bool {
        [.unknownKID, .noKeyProvided, .signatureVerificationFailed].contains(error.errorType)
    }

    private func verifyOnce(_ token: String) async throws -> CallerIdentity {
        let claims = try await keys.verify(token, as: AccessTokenClaims.self)
        guard expectations.accepts(claims) else {
            throw APIError(.unauthorized, message: "The access token is not valid.")
        }
        cache?.store(token, claims: claims)
        return claims.identity
    }

    private static func rejection(_ reason: String, _ logger: Logger?) -> APIError {
        logger?.debug("access token rejected", metadata: ["reason": .string(String(reason.prefix(200)))])
        return APIError(.unauthorized, message: "The access token is not valid.")
    }
}
