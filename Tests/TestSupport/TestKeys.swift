public import Foundation
public import JWTKit
public import PlatformCore

/// Fixed ES256 keys for tests (never used outside tests), and tokens signed with them.
///
/// `primary` signs by default; `secondary` is a second key for rotation tests and for
/// "signed with the wrong key" cases.
public enum TestKeys {
    public static let primaryKID = "test-primary"
    public static let secondaryKID = "test-secondary"

    /// PKCS#8 PEM of the primary test key.
    public static let primaryPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQg4ae8Is9kc82XK7wP
        093zJztzoHnYQD/1tOudljFcq96hRANCAAS/hmB/JI71CTr9DuKlz3HE/0zW+oL4
        AkBo0szpeFHe6+4i+fkMH04r2wdjndaBASRyt+DLpQVTQHe5vXL0MZz4
        -----END PRIVATE KEY-----
        """

    /// PKCS#8 PEM of the secondary test key.
    public static let secondaryPEM = """
        -----BEGIN PRIVATE KEY-----
        MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgmfhJD06rxYbSSHVg
        ZPN82RSsn+kiS/yZzav6CM1m0OGhRANCAASQCU/WZNsrrmsIAPfu82MH3/UB6VNH
        kU8TTWesLbXZuqDI6a532DyIIju3oz/99hAYWrFrul9afIOMNGyhRGkK
        -----END PRIVATE KEY-----
        """

    /// The primary private key.
    public static func primaryKey() throws -> ES256PrivateKey { try ES256PrivateKey(pem: primaryPEM) }

    /// The secondary private key.
    public static func secondaryKey() throws -> ES256PrivateKey { try ES256PrivateKey(pem: secondaryPEM) }

    /// Only the primary key's public half, as a service sees it.
    public static func verifyingKeys() async throws -> VerifyingKeys {
        try await VerifyingKeys([(kid: primaryKID, key: try primaryKey().publicKey)])
    }

    /// A verifier that accepts tokens of the primary key (default issuer and audience).
    public static func verifier() async throws -> TokenVerifier {
        TokenVerifier(keys: try await verifyingKeys())
    }

    /// An access token as auth would issue it.
    /// - Parameters:
    ///   - subject: The `sub` (a user id hex by default, fresh each call).
    ///   - roles: The roles claim.
    ///   - expiresIn: Seconds until `exp` (negative for an expired token).
    ///   - notBeforeIn: Seconds until `nbf` (none by default).
    ///   - useSecondaryKey: Sign with the secondary key (a key the verifier does not know).
    public static func token(
        subject: String = UUID().uuidString, roles: [Role], expiresIn: TimeInterval = 900,
        notBeforeIn: TimeInterval? = nil, issuer: String = TokenExpectations().issuer,
        audience: String = TokenExpectations().audience,
        useSecondaryKey: Bool = false
    ) async throws -> String {
        let keys = JWTKeyCollection()
        let kid = useSecondaryKey ? secondaryKID : primaryKID
        await keys.add(ecdsa: useSecondaryKey ? try secondaryKey() : try primaryKey(), kid: JWKIdentifier(string: kid))
        let now = Date()
        var claims = AccessTokenClaims(
            subject: subject, roles: roles, issuer: issuer, audience: audience, issuedAt: now,
            expiresAt: now.addingTimeInterval(expiresIn), tokenID: UUID().uuidString)
        if let notBeforeIn { claims.nbf = NotBeforeClaim(value: now.addingTimeInterval(notBeforeIn)) }
        return try await keys.sign(claims, kid: JWKIdentifier(string: kid))
    }
}
