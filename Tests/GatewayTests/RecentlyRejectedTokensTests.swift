import Prometheus
import TestSupport
import Testing

@testable import PlatformCore

@Suite struct RecentlyRejectedTokensTests {
    @Test func aRejectionIsRememberedForItsLifetimeWithItsReason() {
        let rejected = RecentlyRejectedTokens(capacity: 4, lifetime: 2)
        rejected.insert("t", reason: "signature", now: 1_000)
        #expect(rejected.reason(for: "t", now: 1_001.9) == "signature")
        #expect(rejected.reason(for: "t", now: 1_002) == nil)
        #expect(rejected.reason(for: "other", now: 1_001) == nil)
    }

    @Test func capacityIsBounded() {
        let rejected = RecentlyRejectedTokens(capacity: 3, lifetime: 2)
        for index in 0..<10 {
            rejected.insert("t\(index)", reason: "signature", now: 1_000)
            #expect(rejected.count <= 3)
        }
        #expect(rejected.reason(for: "t9", now: 1_001) == "signature")
    }

    /// A token that can never pass (forged, expired) is checked once however often it comes
    /// back at once; one that may pass later (not valid yet, an unknown key) is checked every
    /// time.
    @Test func onlyATokenThatCanNeverPassIsRefusedWithoutACheck() async throws {
        let registry = PrometheusCollectorRegistry()
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(),
            metrics: TokenVerificationMetrics(registry: registry, namespace: "gateway"))
        func checks(_ result: String) -> Int {
            registry.value(of: #"gateway_token_checks_total{result=""# + result + #""}"#)
        }
        let genuine = try await TestKeys.token(subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user])
        var forged = Array(genuine.utf8)
        let changed = forged.count - 10  // a character of the signature, not its padding bits
        forged[changed] = forged[changed] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        let forgedToken = String(decoding: forged, as: UTF8.self)
        for _ in 0..<3 {
            await #expect(throws: APIError.self) { try await verifier.verify(forgedToken) }
        }
        #expect(checks("invalid") == 1)
        let expired = try await TestKeys.token(roles: [.user], expiresIn: -10)
        for _ in 0..<2 {
            await #expect(throws: APIError.self) { try await verifier.verify(expired) }
        }
        #expect(checks("invalid") == 2)
        let early = try await TestKeys.token(roles: [.user], notBeforeIn: 600)
        for _ in 0..<2 {
            await #expect(throws: APIError.self) { try await verifier.verify(early) }
        }
        #expect(checks("invalid") == 4)
        let foreign = try await TestKeys.token(roles: [.user], useSecondaryKey: true)
        for _ in 0..<2 {
            await #expect(throws: APIError.self) { try await verifier.verify(foreign) }
        }
        #expect(checks("unknown_kid") == 2)
        // The genuine token is untouched by its forged twin's rejection.
        #expect(try await verifier.verify(genuine).subject == "65a1f0c2e4b0a1b2c3d4e5f6")
        #expect(checks("valid") == 1)
    }
}
