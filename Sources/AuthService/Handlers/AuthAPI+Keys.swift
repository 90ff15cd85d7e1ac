import PlatformCore

extension AuthAPI {
    /// `GET /.well-known/jwks.json` (public): every published public key, the signing key's
    /// first.
    func getJwks(_ input: Operations.getJwks.Input) async throws -> Operations.getJwks.Output {
        let keys = core.keys.publicKeys.map { key in
            Components.Schemas.JWK(
                kty: .EC, crv: .P_hyphen_256, x: key.x, y: key.y, kid: key.kid, use: .sig, alg: .ES256)
        }
        return .ok(.init(body: .json(.init(keys: keys))))
    }
}
