import Foundation
import JWTKit
import Synchronization
import TestSupport
import Testing

@testable import PlatformCore

/// `TokenVerifier`'s own reading of a compact JWS: only `alg: ES256` with a known `kid`, a
/// raw 64-byte signature that verifies, strict base64url, no `crit`; an unknown `kid` asks
/// for new keys once.
@Suite struct TokenVerifierTests {
    /// A token with `header` (JSON text) over genuine claims, signed with the primary key
    /// over exactly the bytes sent; `signature` replaces the real one when given.
    static func token(
        header: String, claims: AccessTokenClaims? = nil, signature: [UInt8]? = nil
    ) async throws
        -> String
    {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        let now = Date()
        let payload = try encoder.encode(
            claims
                ?? AccessTokenClaims(
                    subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.admin], issuer: TokenExpectations().issuer,
                    audience: TokenExpectations().audience, issuedAt: now, expiresAt: now.addingTimeInterval(600),
                    tokenID: "t-1"))
        let input = base64URL(Data(header.utf8)) + "." + base64URL(payload)
        let signer = JWTKeyCollection()
        await signer.add(ecdsa: try TestKeys.primaryKey(), kid: "signer")
        let algorithm = try await signer.getKey(for: "signer", alg: "ES256")
        let raw = try signature ?? algorithm.sign(Array(input.utf8))
        return input + "." + base64URL(Data(raw))
    }

    static let goodHeader = #"{"alg":"ES256","typ":"JWT","kid":"\#(TestKeys.primaryKID)"}"#

    @Test func handMadeTokenWithTheRightHeaderVerifies() async throws {
        let identity = try await TestKeys.verifier().verify(try await Self.token(header: Self.goodHeader))
        #expect(identity.subject == "65a1f0c2e4b0a1b2c3d4e5f6")
        #expect(identity.roles == [.admin])
    }

    @Test(arguments: [
        "no kid": #"{"alg":"ES256","typ":"JWT"}"#,
        "alg ES384": #"{"alg":"ES384","kid":"\#(TestKeys.primaryKID)"}"#,
        "alg es256": #"{"alg":"es256","kid":"\#(TestKeys.primaryKID)"}"#,
        "no alg": #"{"kid":"\#(TestKeys.primaryKID)"}"#,
        "crit": #"{"alg":"ES256","kid":"\#(TestKeys.primaryKID)","crit":["exp"]}"#,
        "kid not a string": #"{"alg":"ES256","kid":7}"#,
        "header not an object": #"["ES256"]"#,
        "header not JSON": #"{"alg":"ES256","#,
        "typ of another kind of JWT": #"{"alg":"ES256","typ":"dpop+jwt","kid":"\#(TestKeys.primaryKID)"}"#,
        "typ JWE": #"{"alg":"ES256","typ":"JOSE+JSON","kid":"\#(TestKeys.primaryKID)"}"#,
        "typ not a string": #"{"alg":"ES256","typ":1,"kid":"\#(TestKeys.primaryKID)"}"#,
    ])
    func headerOutsideTheProfileIsRefused(name: String, header: String) async throws {
        let token = try await Self.token(header: header)
        await #expect(throws: APIError.self, "\(name)") { try await TestKeys.verifier().verify(token) }
    }

    @Test(arguments: ["JWT", "jwt", "at+jwt", "application/at+JWT", nil])
    func aJWTTypeOrNoneIsAccepted(typ: String?) async throws {
        let member = typ.map { #","typ":"\#($0)""# } ?? ""
        let header = #"{"alg":"ES256""# + member + #","kid":"\#(TestKeys.primaryKID)"}"#
        let identity = try await TestKeys.verifier().verify(try await Self.token(header: header))
        #expect(identity.roles == [.admin])
    }

    @Test func signatureMustBeRaw64BytesThatVerify() async throws {
        let genuine = try await Self.token(header: Self.goodHeader)
        let parts = genuine.split(separator: ".").map(String.init)
        let raw = [UInt8](base64URLDecode(parts[2]))
        #expect(raw.count == 64)
        let candidates: [String: [UInt8]] = [
            "zero": [UInt8](repeating: 0, count: 64),
            "DER of the same r and s": Self.der(r: Array(raw[0..<32]), s: Array(raw[32...])),
            "truncated": Array(raw.dropLast()),
            "one bit flipped": raw.enumerated().map { $0.offset == 10 ? $0.element ^ 1 : $0.element },
        ]
        let verifier = try await TestKeys.verifier()
        for (name, signature) in candidates {
            let token = parts[0] + "." + parts[1] + "." + base64URL(Data(signature))
            await #expect(throws: APIError.self, "\(name)") { try await verifier.verify(token) }
        }
        #expect(try await verifier.verify(genuine).subject == "65a1f0c2e4b0a1b2c3d4e5f6")
    }

    @Test func onlyStrictBase64URLIsRead() async throws {
        let genuine = try await Self.token(header: Self.goodHeader)
        let verifier = try await TestKeys.verifier()
        let variants = [
            "padded": genuine + "=",
            "standard alphabet": genuine.replacingOccurrences(of: "-", with: "+").replacingOccurrences(
                of: "_", with: "/"),
            "four parts": genuine + ".AAAA",
            "two parts": genuine.split(separator: ".").prefix(2).joined(separator: "."),
            "space inside": genuine.replacingOccurrences(of: ".", with: ". "),
        ]
        for (name, token) in variants where token != genuine {
            await #expect(throws: APIError.self, "\(name)") { try await verifier.verify(token) }
        }
        #expect(Base64URL.decode(ArraySlice("QQ".utf8)) == [0x41])
        #expect(Base64URL.decode(ArraySlice("QR".utf8)) == nil)  // stray bits after the last byte
        #expect(Base64URL.decode(ArraySlice("Q".utf8)) == nil)  // impossible length
        #expect(Base64URL.decode(ArraySlice("".utf8)) == nil)
        #expect(Base64URL.decode(ArraySlice("-_-_".utf8)) == [0xFB, 0xFF, 0xBF])
    }

    @Test func unknownKIDAsksForNewKeysOnceAndUsesThem() async throws {
        let keys = VerifyingKeys()
        let asked = AskCounter()
        let verifier = TokenVerifier(
            keys: keys,
            refreshKeys: {
                asked.increment()
                try? await keys.replace(with: [(kid: TestKeys.primaryKID, key: try TestKeys.primaryKey().publicKey)])
                return true
            })
        let token = try await TestKeys.token(roles: [.user])
        #expect(try await verifier.verify(token).roles == [.user])
        #expect(asked.value == 1)
        #expect(try await verifier.verify(token).roles == [.user])
        #expect(asked.value == 1)  // known now
        let stranger = try await TestKeys.token(roles: [.user], useSecondaryKey: true)
        await #expect(throws: APIError.self) { try await verifier.verify(stranger) }
        #expect(asked.value == 2)
        #expect(keys.keyIDs == [TestKeys.primaryKID])
    }

    /// DER `SEQUENCE { INTEGER r, INTEGER s }` of two 32-byte big-endian integers.
    static func der(r: [UInt8], s: [UInt8]) -> [UInt8] {
        func integer(_ bytes: [UInt8]) -> [UInt8] {
            var body = Array(bytes.drop { $0 == 0 })
            if let first = body.first, first & 0x80 != 0 { body.insert(0, at: 0) }
            return [0x02, UInt8(body.count)] + body
        }
        let content = integer(r) + integer(s)
        return [0x30, UInt8(content.count)] + content
    }
}

/// Counts calls from a `@Sendable` closure.
final class AskCounter: Sendable {
    private let count = Mutex(0)
    func increment() { count.withLock { $0 += 1 } }
    var value: Int { count.withLock { $0 } }
}
