import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import JWTKit
import PlatformCore
import Prometheus
import TestSupport
import Testing

/// Tokens that must never pass the gateway: each → 401 `UNAUTHORIZED`, and the upstream
/// sees nothing.
@Suite struct TokenForgeryTests {
    enum Forgery: String, CaseIterable, Sendable {
        case tamperedPayload, algNone, hs256WithPublicKey, wrongKeySameKID, unknownKID, expired, wrongAudience
        case wrongIssuer, notYetValid, garbage, emptyBearer, basicScheme
    }

    @Test(arguments: Forgery.allCases)
    func forgedTokenIsRefused(forgery: Forgery) async throws {
        let authorization = try await Self.authorization(for: forgery)
        try await GatewayHarness.run { harness, gateway in
            // GET /claims needs OPERATOR, AUDITOR or ADMIN; every forgery claims ADMIN.
            let response = try await gateway.execute(
                uri: "/claims", method: .get, headers: [.authorization: authorization])
            #expect(response.status == .unauthorized, "\(forgery.rawValue)")
            #expect(try response.envelope().code == "UNAUTHORIZED")
            #expect(harness.event.requests.isEmpty)
        }
    }

    @Test func genuineTokenPasses() async throws {
        let token = try await TestKeys.token(roles: [.admin])
        try await GatewayHarness.run { harness, gateway in
            let response = try await gateway.execute(uri: "/claims", method: .get, headers: .bearer(token))
            #expect(response.status == .ok)
            #expect(harness.event.requests.count == 1)
        }
    }

    /// A client that sent more forged tokens than its budget gets 429 `RATE_LIMITED` with
    /// `Retry-After` for any token not verified yet (genuine ones too) on every path, while
    /// the token it had verified before still passes.
    @Test(arguments: ProxyPath.allCases)
    func aClientPastItsBudgetOfForgedTokensIsRefusedUntilItsWindowEnds(path: ProxyPath) async throws {
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache(),
            failureBudget: TokenFailureBudget(limit: 3, windowSeconds: 60))
        let verified = try await TestKeys.token(roles: [.admin])
        let genuine = try await TestKeys.token(roles: [.admin])
        try await GatewayHarness.run(path: path, verifier: verifier) { harness, gateway in
            func status(_ token: String) async throws -> TestResponse {
                try await gateway.execute(uri: "/claims", method: .get, headers: .bearer(token))
            }
            #expect(try await status(verified).status == .ok)
            for index in 0..<3 {
                let response = try await status(try TokenFailureBudgetTests.forgery(of: genuine, at: index))
                #expect(response.status == .unauthorized, "forgery \(index)")
            }
            let refused = try await status(try TokenFailureBudgetTests.forgery(of: genuine, at: 3))
            #expect(refused.status == .tooManyRequests)
            #expect(try refused.envelope().code == "RATE_LIMITED")
            #expect(refused.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
            #expect(try await status(genuine).status == .tooManyRequests)
            #expect(try await status(verified).status == .ok)
            #expect(harness.event.requests.count == 2)
        }
    }

    /// The byte-level path checks the first request of each connection before any router
    /// sees it: forged tokens count there too, with or without a cache of verified tokens, so
    /// a client opening a connection per forged token is refused like any other.
    @Test(arguments: [true, false])
    func forgedTokensEachOnANewConnectionUseUpTheBudget(withCache: Bool) async throws {
        let registry = PrometheusCollectorRegistry()
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(), cache: withCache ? VerifiedTokenCache() : nil,
            metrics: TokenVerificationMetrics(registry: registry, namespace: "gateway"),
            failureBudget: TokenFailureBudget(limit: 3, windowSeconds: 60))
        let genuine = try await TestKeys.token(roles: [.admin])
        try await GatewayHarness.run(verifier: verifier) { harness, gateway in
            var statuses: [Int] = []
            for index in 0..<4 {
                let forged = try TokenFailureBudgetTests.forgery(of: genuine, at: index)
                let replies = try await RawHTTP.pipelined(
                    port: gateway.port!,
                    [RawHTTP.request(["GET /claims HTTP/1.1", "Host: g", "Authorization: Bearer \(forged)"])],
                    count: 1)
                statuses += replies.map(\.status)
            }
            #expect(statuses == [401, 401, 401, 429])
            #expect(harness.event.requests.isEmpty)
            // Each forgery checked once (not again by the router), the refusal counted once.
            #expect(registry.value(of: #"gateway_token_checks_total{result="invalid"}"#) == 3)
            #expect(registry.value(of: "gateway_token_refusals_total") == 1)
        }
    }

    static func authorization(for forgery: Forgery) async throws -> String {
        let now = Date()
        switch forgery {
        case .tamperedPayload:
            let genuine = try await TestKeys.token(roles: [.user]).split(separator: ".").map(String.init)
            var payload = try JSONSerialization.jsonObject(with: base64URLDecode(genuine[1])) as! [String: Any]
            payload["roles"] = ["ADMIN"]
            let forged = base64URL(try JSONSerialization.data(withJSONObject: payload))
            return "Bearer \(genuine[0]).\(forged).\(genuine[2])"
        case .algNone:
            let header = base64URL(Data(#"{"alg":"none","typ":"JWT","kid":"\#(TestKeys.primaryKID)"}"#.utf8))
            return "Bearer \(header).\(try claimsSegment(now: now))."
        case .hs256WithPublicKey:
            // The classic confusion attack: HMAC keyed with the verifier's public key.
            let publicPEM = try TestKeys.primaryKey().publicKey.pemRepresentation
            let keys = JWTKeyCollection()
            await keys.add(
                hmac: HMACKey(from: publicPEM), digestAlgorithm: .sha256,
                kid: JWKIdentifier(string: TestKeys.primaryKID))
            return "Bearer " + (try await keys.sign(claims(now: now), kid: JWKIdentifier(string: TestKeys.primaryKID)))
        case .wrongKeySameKID:
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: try TestKeys.secondaryKey(), kid: JWKIdentifier(string: TestKeys.primaryKID))
            return "Bearer " + (try await keys.sign(claims(now: now), kid: JWKIdentifier(string: TestKeys.primaryKID)))
        case .unknownKID:
            return "Bearer " + (try await TestKeys.token(roles: [.admin], useSecondaryKey: true))
        case .expired:
            return "Bearer " + (try await TestKeys.token(roles: [.admin], expiresIn: -60))
        case .wrongAudience:
            return "Bearer " + (try await TestKeys.token(roles: [.admin], audience: "someone-else"))
        case .wrongIssuer:
            return "Bearer " + (try await TestKeys.token(roles: [.admin], issuer: "evil-issuer"))
        case .notYetValid:
            var claims = claims(now: now)
            claims.nbf = NotBeforeClaim(value: now.addingTimeInterval(600))
            let keys = JWTKeyCollection()
            await keys.add(ecdsa: try TestKeys.primaryKey(), kid: JWKIdentifier(string: TestKeys.primaryKID))
            return "Bearer " + (try await keys.sign(claims, kid: JWKIdentifier(string: TestKeys.primaryKID)))
        case .garbage:
            return "Bearer not.a.token"
        case .emptyBearer:
            return "Bearer "
        case .basicScheme:
            return "Basic YWRtaW46YWRtaW4="
        }
    }

    static func claims(now: Date) -> AccessTokenClaims {
        AccessTokenClaims(
            subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.admin], issuer: TokenExpectations().issuer,
            audience: TokenExpectations().audience, issuedAt: now, expiresAt: now.addingTimeInterval(900),
            tokenID: UUID().uuidString)
    }

    static func claimsSegment(now: Date) throws -> String {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .secondsSince1970
        return base64URL(try encoder.encode(claims(now: now)))
    }
}

func base64URL(_ data: Data) -> String {
    data.base64EncodedString().replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
        .replacingOccurrences(of: "=", with: "")
}

func base64URLDecode(_ text: String) -> Data {
    var base64 = text.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
    while base64.count % 4 != 0 { base64 += "=" }
    return Data(base64Encoded: base64) ?? Data()
}
