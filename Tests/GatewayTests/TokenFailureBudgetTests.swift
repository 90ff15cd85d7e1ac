import HTTPTypes
import Prometheus
import TestSupport
import Testing

@testable import PlatformCore

@Suite struct TokenFailureBudgetTests {
    @Test func aClientPastItsLimitWaitsUntilItsWindowEnds() {
        let budget = TokenFailureBudget(limit: 3, windowSeconds: 10)
        budget.recordFailure(of: "192.0.2.7", now: 1_000)
        budget.recordFailure(of: "192.0.2.7", now: 1_001)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.7", now: 1_001) == nil)
        budget.recordFailure(of: "192.0.2.7", now: 1_002)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.7", now: 1_002) == 8)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.7", now: 1_009.5) == 1)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.8", now: 1_002) == nil)
        // The window opened at the first failure: it ends at 1,010, and the next one opens
        // at the next failure.
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.7", now: 1_010) == nil)
        budget.recordFailure(of: "192.0.2.7", now: 1_010)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.7", now: 1_010) == nil)
    }

    @Test(
        arguments: [
            ("192.0.2.7", "192.0.2.7"),
            ("::ffff:192.0.2.7", "192.0.2.7"),
            ("2001:db8:1:2::1", "20010db800010002/64"),
            ("2001:db8:1:2:ffff:ffff:ffff:ffff", "20010db800010002/64"),
            ("2001:db8:1:3::1", "20010db800010003/64"),
            ("::1", "0000000000000000/64"),
            ("not:an:address", "not:an:address"),
        ])
    func aClientIsCountedByItsAddressOrItsIPv6Slash64(address: String, key: String) {
        #expect(TokenFailureBudget.key(for: address) == key)
    }

    @Test func hostsOfOneIPv6Slash64ShareABudget() {
        let budget = TokenFailureBudget(limit: 2, windowSeconds: 10)
        budget.recordFailure(of: "2001:db8:1:2::1", now: 1_000)
        budget.recordFailure(of: "2001:db8:1:2::2", now: 1_000)
        #expect(budget.secondsUntilChecksResume(for: "2001:db8:1:2::3", now: 1_000) == 10)
        #expect(budget.secondsUntilChecksResume(for: "2001:db8:1:3::1", now: 1_000) == nil)
    }

    /// A full table makes room by dropping ended windows, then unused-up ones — never a
    /// refusal: an attacker with more addresses than the table holds cannot free the ones it
    /// has used up.
    @Test func aFullTableIsBoundedAndNeverForgetsARefusedClient() {
        let budget = TokenFailureBudget(limit: 2, windowSeconds: 10, capacity: 3)
        budget.recordFailure(of: "192.0.2.1", now: 1_000)
        budget.recordFailure(of: "192.0.2.1", now: 1_000)
        budget.recordFailure(of: "192.0.2.2", now: 1_000)
        budget.recordFailure(of: "192.0.2.3", now: 1_000)
        for index in 4..<10 {
            budget.recordFailure(of: "192.0.2.\(index)", now: 1_001)
            #expect(budget.count <= 3)
        }
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.1", now: 1_001) == 9)
        // Full of used-up windows: a newcomer goes uncounted until one ends.
        for index in 10..<13 {
            budget.recordFailure(of: "192.0.2.\(index)", now: 1_002)
            budget.recordFailure(of: "192.0.2.\(index)", now: 1_002)
        }
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.1", now: 1_002) == 8)
        #expect(budget.count == 3)
        // Once the first window ended, there is room again.
        budget.recordFailure(of: "192.0.2.20", now: 1_010)
        budget.recordFailure(of: "192.0.2.20", now: 1_010)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.20", now: 1_010) == 10)
        #expect(budget.secondsUntilChecksResume(for: "192.0.2.1", now: 1_010) == nil)
    }

    /// Forged tokens use up their sender's budget; then its tokens not in the cache are
    /// refused unchecked with 429 and `Retry-After`, while its cached token, other senders,
    /// and genuine tokens that merely expired or are not valid yet are judged as before.
    @Test func forgedTokensUseUpTheirSendersBudgetAndNothingElseDoes() async throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = TokenVerificationMetrics(registry: registry, namespace: "gateway")
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache(), metrics: metrics,
            failureBudget: TokenFailureBudget(limit: 3, windowSeconds: 60))
        let attacker = "192.0.2.7"
        let cached = try await TestKeys.token(roles: [.user])
        _ = try await verifier.verify(cached, client: attacker)

        // Genuine tokens that cannot pass now never count, however many.
        for _ in 0..<5 {
            let expired = try await TestKeys.token(roles: [.user], expiresIn: -10)
            await #expect(throws: APIError.self) { try await verifier.verify(expired, client: attacker) }
            let early = try await TestKeys.token(roles: [.user], notBeforeIn: 600)
            await #expect(throws: APIError.self) { try await verifier.verify(early, client: attacker) }
        }
        let genuine = try await TestKeys.token(roles: [.user])
        var forgeries = try (0..<3).map { try Self.forgery(of: genuine, at: $0) }
        forgeries[0] = "not.a.token"
        #expect(try await Self.code(verifier, forgeries[0], client: attacker) == .unauthorized)
        #expect(try await Self.code(verifier, forgeries[1], client: attacker) == .unauthorized)
        // Again a token just rejected: not checked, so it costs nothing and does not count.
        #expect(try await Self.code(verifier, forgeries[1], client: attacker) == .unauthorized)
        #expect(try await Self.code(verifier, forgeries[2], client: attacker) == .unauthorized)

        let refusal = await #expect(throws: APIError.self) {
            try await verifier.verify(try Self.forgery(of: genuine, at: 3), client: attacker)
        }
        #expect(refusal?.code == .rateLimited)
        #expect(refusal?.headers[.retryAfter].flatMap(Int.init).map { (1...60).contains($0) } == true)
        #expect(try await Self.code(verifier, genuine, client: attacker) == .rateLimited)
        #expect(try await verifier.verify(cached, client: attacker).roles == [.user])
        #expect(try await verifier.verify(genuine, client: "192.0.2.8").roles == [.user])
        #expect(try await Self.code(verifier, try Self.forgery(of: genuine, at: 4), client: nil) == .unauthorized)

        #expect(registry.value(of: #"gateway_token_checks_total{result="invalid"}"#) == 10 + 3 + 1)
        #expect(registry.value(of: "gateway_token_refusals_total") == 2)
    }

    /// The first request of every new connection to the byte-level path and the router
    /// ask a verifier without a cache with no suspension: the budget holds there too.
    @Test func aVerifierWithoutACacheRefusesUncheckedOnTheNonSuspendingPath() async throws {
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(), failureBudget: TokenFailureBudget(limit: 1, windowSeconds: 60))
        let genuine = try await TestKeys.token(roles: [.user])
        #expect(verifier.identityWithoutSuspending(try Self.forgery(of: genuine, at: 0), client: "192.0.2.7") == nil)
        #expect(verifier.identityWithoutSuspending(genuine, client: "192.0.2.7") == nil)
        #expect(verifier.identityWithoutSuspending(genuine, client: "192.0.2.8")?.roles == [.user])
    }

    /// `token` with one character of its signature changed (`index` picks which), so each
    /// index gives a different forgery.
    static func forgery(of token: String, at index: Int) throws -> String {
        var bytes = Array(token.utf8)
        let changed = bytes.count - 10 - index  // inside the signature, not its padding bits
        bytes[changed] = bytes[changed] == UInt8(ascii: "A") ? UInt8(ascii: "B") : UInt8(ascii: "A")
        return String(decoding: bytes, as: UTF8.self)
    }

    /// The code `verifier` refuses `token` with.
    static func code(_ verifier: TokenVerifier, _ token: String, client: String?) async throws -> APIError.Code? {
        do {
            _ = try await verifier.verify(token, client: client)
            return nil
        } catch let error as APIError {
            return error.code
        }
    }
}
