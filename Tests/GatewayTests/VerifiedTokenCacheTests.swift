import Foundation
import JWTKit
import Prometheus
import TestSupport
import Testing

@testable import PlatformCore

@Suite struct VerifiedTokenCacheTests {
    static func claims(notBefore: Double? = nil, expiresAt: Double) -> AccessTokenClaims {
        var claims = AccessTokenClaims(
            subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user], issuer: "i", audience: "a",
            issuedAt: Date(timeIntervalSince1970: 0), expiresAt: Date(timeIntervalSince1970: expiresAt), tokenID: "j")
        if let notBefore { claims.nbf = .init(value: Date(timeIntervalSince1970: notBefore)) }
        return claims
    }

    @Test func entryIsUsedOnlyWithinTheTokenWindowAndTheMaximumAge() {
        let cache = VerifiedTokenCache(capacity: 10, maximumAge: .seconds(30))
        cache.store("t", claims: Self.claims(notBefore: 1_000, expiresAt: 1_100), now: 1_000)
        #expect(cache.identity(for: "t", now: 999) == nil)  // not yet valid
        #expect(cache.identity(for: "t", now: 1_010)?.subject == "65a1f0c2e4b0a1b2c3d4e5f6")
        #expect(cache.identity(for: "t", now: 1_031) == nil)  // older than 30 s
        cache.store("u", claims: Self.claims(expiresAt: 1_005), now: 1_000)
        #expect(cache.identity(for: "u", now: 1_004) != nil)
        #expect(cache.identity(for: "u", now: 1_005) == nil)  // expired
        #expect(cache.identity(for: "other", now: 1_001) == nil)
    }

    @Test func aRememberedEntryHoldsOnlyInItsWindowAndUntilTheCacheIsEmptied() {
        let cache = VerifiedTokenCache(capacity: 10, maximumAge: .seconds(30))
        cache.store("t", claims: Self.claims(notBefore: 1_000, expiresAt: 1_100), now: 1_000)
        #expect(cache.remembered(for: "t", now: 999) == nil)  // not yet valid
        #expect(cache.remembered(for: "other", now: 1_010) == nil)
        let remembered = cache.remembered(for: "t", now: 1_010)
        #expect(remembered?.identity.subject == "65a1f0c2e4b0a1b2c3d4e5f6")
        guard let remembered else { return }
        #expect(cache.isCurrent(remembered, now: 1_020))
        #expect(!cache.isCurrent(remembered, now: 999))
        #expect(!cache.isCurrent(remembered, now: 1_030))  // 30 s after verification
        // Another entry stored (or the cache trimmed for room) leaves it current; emptying
        // the cache (a key withdrawn) does not, even once the token is stored again.
        cache.store("u", claims: Self.claims(expiresAt: 1_100), now: 1_000)
        #expect(cache.isCurrent(remembered, now: 1_020))
        cache.removeAll()
        #expect(!cache.isCurrent(remembered, now: 1_020))
        cache.store("t", claims: Self.claims(notBefore: 1_000, expiresAt: 1_100), now: 1_000)
        #expect(!cache.isCurrent(remembered, now: 1_020))
        #expect(cache.remembered(for: "t", now: 1_020).map { cache.isCurrent($0, now: 1_020) } == true)
    }

    @Test func capacityIsBounded() {
        let cache = VerifiedTokenCache(capacity: 3)
        for index in 0..<10 {
            cache.store("t\(index)", claims: Self.claims(expiresAt: 2_000), now: 1_000)
            #expect(cache.count <= 3)
        }
        cache.removeAll()
        #expect(cache.count == 0)
    }

    @Test func verifierAnswersARepeatedTokenFromTheCacheAndNeverCachesABadOne() async throws {
        let cache = VerifiedTokenCache()
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: cache)
        let token = try await TestKeys.token(roles: [.operator])
        let first = try await verifier.verify(token)
        #expect(cache.count == 1)
        #expect(try await verifier.verify(token) == first)
        let expired = try await TestKeys.token(roles: [.admin], expiresIn: -10)
        await #expect(throws: APIError.self) { try await verifier.verify(expired) }
        let foreign = try await TestKeys.token(roles: [.admin], useSecondaryKey: true)
        await #expect(throws: APIError.self) { try await verifier.verify(foreign) }
        #expect(cache.count == 1)
    }

    @Test func checksAgainstTheKeysAndResetsOfAFullCacheAreCounted() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = TokenVerificationMetrics(registry: registry, namespace: "gateway")
        let cache = VerifiedTokenCache(capacity: 1, metrics: metrics)
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: cache, metrics: metrics)
        let operatorToken = try await TestKeys.token(roles: [.operator])
        _ = try await verifier.verify(operatorToken)
        _ = try await verifier.verify(operatorToken)  // from the cache: no check
        _ = verifier.identityWithoutSuspending(operatorToken, client: nil)
        await #expect(throws: APIError.self) { try await verifier.verify("not.a.token") }
        let foreign = try await TestKeys.token(roles: [.admin], useSecondaryKey: true)
        await #expect(throws: APIError.self) { try await verifier.verify(foreign) }
        #expect(registry.value(of: #"gateway_token_checks_total{result="valid"}"#) == 1)
        #expect(registry.value(of: #"gateway_token_checks_total{result="invalid"}"#) == 1)
        #expect(registry.value(of: #"gateway_token_checks_total{result="unknown_kid"}"#) == 1)
        #expect(registry.value(of: "gateway_token_cache_resets_total") == 0)
        // A second unexpired token does not fit a cache of one: the cache is emptied.
        _ = try await verifier.verify(try await TestKeys.token(roles: [.admin]))
        #expect(registry.value(of: #"gateway_token_checks_total{result="valid"}"#) == 2)
        #expect(registry.value(of: "gateway_token_cache_resets_total") == 1)
        #expect(cache.count == 1)
    }

    @Test(
        arguments: [
            ("Bearer abc", "abc"),
            ("bearer   abc \t", "abc"),
            ("BEARER abc", "abc"),
            ("  Bearer abc", "abc"),
            ("Bearer \tabc\t ", "abc"),
            ("Bearer a b", "a b"),
            ("Bearer tök", "tök"),
            ("Bearer ", nil),
            ("Bearer  \t ", nil),
            ("Bearer", nil),
            ("Bearerabc", nil),
            ("Bearer\tabc", nil),
            ("\tBearer abc", nil),
            ("Basic abc", nil),
            ("Bearex abc", nil),
            ("Béarer abc", nil),
            ("", nil),
        ] as [(String, String?)])
    func bearerHeaderIsParsedByteByByte(header: String, token: String?) {
        #expect(BearerToken.parse(header) == token)
    }
}
