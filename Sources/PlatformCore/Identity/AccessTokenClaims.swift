public import Foundation
public import JWTKit

/// The payload of the platform's ES256 access tokens (DESIGN §3): `sub`, `roles`, `iss`,
/// `aud`, `iat`, `exp`, `jti` (and `nbf` when present). Auth signs it; the gateway, auth and
/// event verify it.
public struct AccessTokenClaims: JWTPayload, Equatable {
    public var sub: SubjectClaim
    public var roles: [String]
    public var iss: IssuerClaim
    public var aud: AudienceClaim
    public var iat: IssuedAtClaim
    public var exp: ExpirationClaim
    public var nbf: NotBeforeClaim?
    public var jti: IDClaim

    public init(
        subject: String, roles: [Role], issuer: String, audience: String, issuedAt: Date, expiresAt: Date,
        tokenID: String
    ) {
        sub = SubjectClaim(value: subject)
        self.roles = roles.map(\.rawValue)
        iss = IssuerClaim(value: issuer)
        aud = AudienceClaim(value: audience)
        iat = IssuedAtClaim(value: issuedAt)
        exp = ExpirationClaim(value: expiresAt)
        nbf = nil
        jti = IDClaim(value: tokenID)
    }

    /// Checks expiry and not-before (jwt-kit). Issuer and audience are checked by
    /// `TokenExpectations.check(_:)`, which knows the expected values.
    public func verify(using algorithm: some JWTAlgorithm) async throws {
        try checkTimeWindow()
    }

    /// Throws jwt-kit's claim error unless `now` is before `exp` and after `nbf` (if any).
    public func checkTimeWindow(now: Date = Date()) throws {
        try exp.verifyNotExpired(currentDate: now)
        try nbf?.verifyNotBefore(currentDate: now)
    }

    /// The identity these claims describe; unknown role names are dropped.
    public var identity: CallerIdentity {
        CallerIdentity(subject: sub.value, roles: Set(roles.compactMap(Role.init(rawValue:))), tokenID: jti.value)
    }
}

/// What a verifier insists on besides the signature and the time window.
public struct TokenExpectations: Sendable, Equatable {
    /// The `iss` auth signs with.
    public var issuer: String
    /// The `aud` every service expects.
    public var audience: String

    public init(issuer: String = "event-reward-auth", audience: String = "event-reward") {
        self.issuer = issuer
        self.audience = audience
    }

    /// Whether `claims` were issued by our issuer for our audience.
    public func accepts(_ claims: AccessTokenClaims) -> Bool {
        claims.iss.value == issuer && claims.aud.value.contains(audience)
    }
}
