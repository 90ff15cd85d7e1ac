import JWTKit
import Logging
import PlatformCore

/// Auth's key material: the one ES256 private key that signs, and every public key that
/// is still published (the signing key's first, then earlier keys during a rotation).
///
/// Signing and auth's own verification (defence in depth) use the same keys the JWKS
/// publishes (STYLE §15).
struct SigningKeys: Sendable {
    /// The `kid` of the signing key, put in every token's header.
    let currentKeyID: String
    /// The published keys, the signing key's first.
    let publicKeys: [AuthSettings.PublicKey]
    /// All keys, by `kid`, for signing.
    let collection: JWTKeyCollection
    /// The published keys, by `kid`, for auth's own verification.
    let verifyingKeys: VerifyingKeys

    /// Loads the configured keys, or generates a development key (with a warning) when none
    /// is configured.
    /// - Throws: `AuthStartupError` when a key does not load or two keys share a `kid`.
    static func load(_ settings: AuthSettings, logger: Logger) async throws -> SigningKeys {
        let privateKey: ES256PrivateKey
        var keyID: String?
        if let configured = settings.signingKey {
            do {
                privateKey = try ES256PrivateKey(pem: configured.privateKeyPEM)
            } catch {
                throw AuthStartupError("the signing key is not a P-256 private key")
            }
            keyID = configured.keyID
        } else {
            privateKey = ES256PrivateKey()
            logger.warning(
                "no signing key configured: generated a development key; tokens do not survive a restart and replicas do not share it",
                metadata: ["hint": "set JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE"])
        }
        guard let parameters = privateKey.publicKey.parameters else {
            throw AuthStartupError("the signing key has no public coordinates")
        }
        let currentKeyID = keyID ?? KeyThumbprint.of(x: parameters.x, y: parameters.y)
        let current = AuthSettings.PublicKey(kid: currentKeyID, x: parameters.x, y: parameters.y)

        let collection = JWTKeyCollection()
        await collection.add(ecdsa: privateKey, kid: JWKIdentifier(string: currentKeyID))
        var published = [current]
        var verifying = [(kid: currentKeyID, key: privateKey.publicKey)]
        for key in settings.previousPublicKeys {
            if let existing = published.first(where: { $0.kid == key.kid }) {
                // The current key listed again (e.g. a copy of the JWKS): harmless.
                guard existing == key else { throw AuthStartupError("two signing keys share the kid \(key.kid)") }
                continue
            }
            let publicKey: ES256PublicKey
            do {
                publicKey = try ES256PublicKey(parameters: (key.x, key.y))
            } catch {
                throw AuthStartupError("the previous public key \(key.kid) is not a P-256 key")
            }
            await collection.add(ecdsa: publicKey, kid: JWKIdentifier(string: key.kid))
            published.append(key)
            verifying.append((kid: key.kid, key: publicKey))
        }
        logger.info(
            "signing keys loaded",
            metadata: ["jwt.kid": .string(currentKeyID), "jwt.publishedKeys": .stringConvertible(published.count)])
        return SigningKeys(
            currentKeyID: currentKeyID, publicKeys: published, collection: collection,
            verifyingKeys: try await VerifyingKeys(verifying))
    }

    /// Signs `claims` with the signing key, naming its `kid` in the header.
    func sign(_ claims: AccessTokenClaims) async throws -> String {
        try await collection.sign(claims, kid: JWKIdentifier(string: currentKeyID))
    }

    /// A verifier over every published key, with the platform's issuer and audience.
    var verifier: TokenVerifier {
        TokenVerifier(keys: verifyingKeys)
    }
}

/// A reason the auth service cannot start (bad key material, a database that refuses the
/// indexes); the description is one line without secrets.
public struct AuthStartupError: Error, CustomStringConvertible {
    public let description: String

    init(_ description: String) {
        self.description = description
    }
}
