import Foundation
import JWTKit
import PlatformCore

/// Signs access tokens with auth's signing key, exactly as `AccessTokenIssuer` does, so the
/// benchmark can act as any number of users (or a game server) without logging them in:
/// the event service verifies them against auth's JWKS like any other token.
struct TokenMinter: Sendable {
    let keys: JWTKeyCollection
    let keyID: JWKIdentifier
    let expectations = TokenExpectations()

    /// Loads the PEM private key in `path` under `keyID`.
    static func load(pemFile path: String, keyID: String) async throws -> TokenMinter {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw BenchmarkError("cannot read the key file \(path)")
        }
        let key = try ES256PrivateKey(pem: String(decoding: data, as: UTF8.self))
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: keyID))
        return TokenMinter(keys: keys, keyID: JWKIdentifier(string: keyID))
    }

    /// A token for `subject` with `roles`, valid for an hour.
    func token(subject: String, roles: [Role]) async throws -> String {
        let now = Date()
        let claims = AccessTokenClaims(
            subject: subject, roles: roles, issuer: expectations.issuer, audience: expectations.audience,
            issuedAt: now, expiresAt: now.addingTimeInterval(3600), tokenID: UUID().uuidString)
        return try await keys.sign(claims, kid: keyID)
    }
}
