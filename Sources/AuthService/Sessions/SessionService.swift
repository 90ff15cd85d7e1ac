import Logging
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Logins, refresh-token rotation and logout.
///
/// A login's refresh token starts a *family*; each refresh spends the presented token
/// (one atomic ACTIVE → ROTATED update, so of two concurrent refreshes with one token at
/// most one wins) and issues its successor in the same family. Presenting a spent token
/// again revokes the whole family (someone else holds a copy). Only SHA-256 digests of
/// refresh tokens are stored.
struct SessionService: Sendable {
    let core: AuthCore

    /// A new access token and refresh token.
    struct TokenPair: Sendable {
        let accessToken: String
        let refreshToken: String
        let expiresIn: Int
    }

    private var rateLimiter: LoginRateLimiter {
        LoginRateLimiter(attempts: core.loginAttempts, limits: core.settings.loginRateLimit)
    }

    /// Checks `password` for `email` (already validated and lower-cased) and opens a session.
    ///
    /// Unknown email and wrong password fail alike — same error, and a bcrypt verification
    /// in both cases (against a dummy hash for an unknown email), so neither the answer nor
    /// its timing tells whether an account exists. A success is written to the outbox first
    /// (a LOGIN activity for the event service), then the tokens are issued.
    /// - Throws: `RATE_LIMITED` (429), `UNAUTHORIZED` (401), or storage errors.
    func login(email: String, password: String, clientAddress: String?, logger: Logger) async throws -> TokenPair {
        let reservation = try await rateLimiter.reserve(email: email, clientAddress: clientAddress)
        let user = try await core.users.find(email: email)
        let matches = try await core.hasher.verify(password, against: user?.passwordHash ?? core.dummyPasswordHash)
        guard let user, matches else {
            logger.info("login failed", metadata: ["client.address": .string(clientAddress ?? "unknown")])
            throw APIError.invalidCredentials
        }
        await rateLimiter.succeeded(reservation, logger: logger)
        let now = Date()
        try await core.outbox.insert(.login(userId: user.id, at: now))
        let pair = try await issuePair(for: user, family: ObjectID(), now: now)
        logger.info("login succeeded", metadata: ["user.id": .string(user.id.hex)])
        return pair
    }

    /// Spends `refreshToken` and issues the next pair of its family.
    /// - Throws: `UNAUTHORIZED` for an unknown, expired, revoked or reused token (a reused
    ///   one also revokes its family), or when its user no longer exists.
    func refresh(_ refreshToken: String, logger: Logger) async throws -> TokenPair {
        let now = Date()
        let digest = OpaqueToken.digest(refreshToken)
        guard let spent = try await core.refreshTokens.rotate(tokenHash: digest, now: now) else {
            let stored = try await core.refreshTokens.find(tokenHash: digest)
            if RefreshTokenRefusal.of(status: stored?.status) == .revokeFamily, let stored {
                try await revokeFamily(stored.familyId, now: now)
                logger.warning(
                    "refresh token reused: family revoked",
                    metadata: ["user.id": .string(stored.userId.hex), "token.family": .string(stored.familyId.hex)])
            }
            throw APIError.invalidRefreshToken
        }
        guard let user = try await core.users.find(id: spent.userId) else {
            try await revokeFamily(spent.familyId, now: now)
            throw APIError.invalidRefreshToken
        }
        let pair = try await issuePair(for: user, family: spent.familyId, now: now)
        // A family revoked while this refresh ran (its reuse was detected) must not live on
        // through the successor just stored: check after storing it.
        if try await core.refreshTokens.isFamilyRevoked(spent.familyId) {
            try await revokeFamily(spent.familyId, now: now)
            throw APIError.invalidRefreshToken
        }
        logger.debug("refresh token rotated", metadata: ["user.id": .string(user.id.hex)])
        return pair
    }

    /// Revokes the family of `refreshToken` when it belongs to `caller`; anything else
    /// (unknown, already revoked, someone else's) is left alone — logout always succeeds.
    func logout(_ refreshToken: String, caller: CallerIdentity, logger: Logger) async throws {
        guard let stored = try await core.refreshTokens.find(tokenHash: OpaqueToken.digest(refreshToken)),
            stored.userId.hex == caller.subject
        else {
            return
        }
        try await revokeFamily(stored.familyId, now: Date())
        logger.info("logged out", metadata: ["user.id": .string(caller.subject)])
    }

    private func issuePair(for user: UserRecord, family: ObjectID, now: Date) async throws -> TokenPair {
        let refreshToken = OpaqueToken.generate()
        try await core.refreshTokens.insert(
            RefreshTokenRecord(
                id: ObjectID(),
                tokenHash: OpaqueToken.digest(refreshToken),
                familyId: family,
                userId: user.id,
                status: .active,
                createdAt: now,
                expiresAt: now.addingTimeInterval(TimeInterval(core.settings.refreshTokenLifetimeSeconds))
            ))
        let access = try await core.tokens.userToken(subject: user.id.hex, roles: Set(user.roles), now: now)
        return TokenPair(accessToken: access.token, refreshToken: refreshToken, expiresIn: access.expiresIn)
    }

    /// Revokes every member of `family`, keeping the revoked members for a full refresh
    /// lifetime so any member issued before is recognised as revoked until it expires.
    private func revokeFamily(_ family: ObjectID, now: Date) async throws {
        try await core.refreshTokens.revokeFamily(
            family, now: now,
            keepUntil: now.addingTimeInterval(TimeInterval(core.settings.refreshTokenLifetimeSeconds)))
    }
}
