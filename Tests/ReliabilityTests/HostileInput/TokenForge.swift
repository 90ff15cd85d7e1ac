import Foundation
import JWTKit
import PlatformCore
import TestSupport

/// Builds the hostile tokens of RFC 8725's catalogue: unsigned, confused algorithms,
/// doctored signatures and headers that point a naive verifier elsewhere. Every forgery
/// claims ADMIN for a real account, so a verifier that let one through would answer 200.
enum TokenForge {
    static let issuer = TokenExpectations().issuer
    static let audience = TokenExpectations().audience

    /// Claims as a JSON object, for tokens assembled by hand.
    static func claims(
        subject: String, roles: [String] = ["ADMIN"], issuer: String = issuer, audience: String = audience,
        lifetime: Int = 900
    ) -> [String: Any] {
        let now = Int(Date().timeIntervalSince1970)
        return [
            "sub": subject, "roles": roles, "iss": issuer, "aud": audience, "iat": now, "exp": now + lifetime,
            "jti": UUID().uuidString,
        ]
    }

    /// `header.payload.signature`, each segment base64url of the given JSON or bytes.
    static func assemble(header: [String: Any], claims: [String: Any], signature: [UInt8] = []) -> String {
        "\(segment(header)).\(segment(claims)).\(base64URL(Data(signature)))"
    }

    /// A token signed with `key` (ES256) whose header also carries `extra` fields and
    /// names `kid`.
    static func es256(
        subject: String, roles: [Role] = [.admin], key: ES256PrivateKey, kid: String,
        extra: [String: JWTHeaderField] = [:]
    ) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: JWKIdentifier(string: kid))
        var header = JWTHeader(fields: extra)
        header.kid = kid
        return try await keys.sign(accessClaims(subject: subject, roles: roles), header: header)
    }

    /// An HS256 token keyed with `secret` (the public key's PEM text in the confusion attack).
    static func hs256(subject: String, secret: String, kid: String) async throws -> String {
        let keys = JWTKeyCollection()
        await keys.add(hmac: HMACKey(from: secret), digestAlgorithm: .sha256, kid: JWKIdentifier(string: kid))
        return try await keys.sign(accessClaims(subject: subject, roles: [.admin]), kid: JWKIdentifier(string: kid))
    }

    static func accessClaims(subject: String, roles: [Role]) -> AccessTokenClaims {
        let now = Date()
        return AccessTokenClaims(
            subject: subject, roles: roles, issuer: issuer, audience: audience, issuedAt: now,
            expiresAt: now.addingTimeInterval(900), tokenID: UUID().uuidString)
    }

    /// `token` with its signature replaced by `signature`.
    static func resigned(_ token: String, with signature: [UInt8]) -> String {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return "\(parts[0]).\(parts[1]).\(base64URL(Data(signature)))"
    }

    /// The raw `r‖s` signature of a JWS ES256 token.
    static func rawSignature(of token: String) -> [UInt8] {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        return Array(base64URLDecode(String(parts[2])))
    }

    /// The ASN.1 DER `SEQUENCE { INTEGER r, INTEGER s }` of a raw `r‖s` signature (the
    /// encoding JWS forbids, RFC 7518 §3.4).
    static func der(fromRaw raw: [UInt8]) -> [UInt8] {
        func integer(_ bytes: ArraySlice<UInt8>) -> [UInt8] {
            var value = Array(bytes.drop { $0 == 0 })
            if value.isEmpty || value[0] & 0x80 != 0 { value.insert(0, at: 0) }
            return [0x02, UInt8(value.count)] + value
        }
        let half = raw.count / 2
        let body = integer(raw[..<half]) + integer(raw[half...])
        return [0x30, UInt8(body.count)] + body
    }

    /// The public JWK of `key`, as a header field (the embedded-key attack) or JWKS JSON.
    static func publicJWK(_ key: ES256PrivateKey, kid: String) throws -> [String: JWTHeaderField] {
        guard let parameters = key.publicKey.parameters else { throw TestSupportError("no public parameters") }
        return [
            "kty": .string("EC"), "crv": .string("P-256"), "x": .string(parameters.x), "y": .string(parameters.y),
            "kid": .string(kid), "alg": .string("ES256"), "use": .string("sig"),
        ]
    }

    static func jwksJSON(_ key: ES256PrivateKey, kid: String) throws -> String {
        guard let parameters = key.publicKey.parameters else { throw TestSupportError("no public parameters") }
        return
            #"{"keys":[{"kty":"EC","crv":"P-256","x":"\#(parameters.x)","y":"\#(parameters.y)","kid":"\#(kid)","alg":"ES256","use":"sig"}]}"#
    }

    static func segment(_ object: [String: Any]) -> String {
        base64URL((try? JSONSerialization.data(withJSONObject: object, options: [.sortedKeys])) ?? Data())
    }

    static func base64URL(_ data: Data) -> String {
        data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    static func base64URLDecode(_ text: String) -> Data {
        var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while base64.count % 4 != 0 { base64 += "=" }
        return Data(base64Encoded: base64) ?? Data()
    }
}
