import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Signs the platform's access tokens: `sub`, `roles`, `iss`, `aud`, `iat`, `exp`, a fresh
/// `jti`, and the signing key's `kid` in the header.
struct AccessTokenIssuer: Sendable {
    let keys: SigningKeys
    let expectations: TokenExpectations
    /// Lifetime of a user's token, in seconds.
    let userTokenLifetime: Int
    /// Lifetime of a SERVICE token, in seconds.
    let serviceTokenLifetime: Int

    /// A signed token and its lifetime.
    struct Issued: Sendable {
        let token: String
        let expiresIn: Int
        let expiresAt: Date
    }

    /// A user's access token carrying `roles` (sorted, so equal role sets give equal claims).
    func userToken(subject: String, roles: Set<Role>, now: Date = Date()) async throws -> Issued {
        try await issue(subject: subject, roles: roles, lifetime: userTokenLifetime, now: now)
    }

    /// A machine's token carrying only `SERVICE`.
    func serviceToken(subject: String, now: Date = Date()) async throws -> Issued {
        try await issue(subject: subject, roles: [.service], lifetime: serviceTokenLifetime, now: now)
    }

    private func issue(subject: String, roles: Set<Role>, lifetime: Int, now: Date) async throws -> Issued {
        let expiresAt = now.addingTimeInterval(TimeInterval(lifetime))
        let claims = AccessTokenClaims(
            subject: subject,
            roles: roles.sorted { $0.rawValue < $1.rawValue },
            issuer: expectations.issuer,
            audience: expectations.audience,
            issuedAt: now,
            expiresAt: expiresAt,
            tokenID: OpaqueToken.hexIdentifier()
        )
        return Issued(token: try await keys.sign(claims), expiresIn: lifetime, expiresAt: expiresAt)
    }
}
