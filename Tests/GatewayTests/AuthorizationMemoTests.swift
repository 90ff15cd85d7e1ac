import HTTPTypes
import NIOCore
import PlatformCore
import TestSupport
import Testing

@testable import Gateway

/// A client connection remembers the last token the verified-token cache knew
/// (`AuthorizationMemo`), so its next request with the same `Authorization` skips the
/// cache. What the memo may never do: outlive the cache's word. Read through the planner's
/// decision for a request head, as the byte-level path asks it.
@Suite struct AuthorizationMemoTests {
    /// What the planner decides for `GET /wallet/me` (role `user`) with `token`.
    static func decision(
        _ planner: LoopProxyPlanner, token: String, memo: inout AuthorizationMemo
    ) throws -> String {
        var headBuffer = ReusableHeadBuffer()
        let bytes = Array("GET /wallet/me HTTP/1.1\r\nHost: a\r\nAuthorization: Bearer \(token)\r\n\r\n".utf8)
        return try bytes.withUnsafeBytes { bytes in
            guard case .parsed(let head) = WireRequestHead.parse(bytes) else { throw TestSupportError("unparsed head") }
            switch planner.wirePlan(
                head, bytes: bytes, clientAddress: nil, headBuffer: &headBuffer, mayVerify: true, memo: &memo)
            {
            case .take: return "take"
            case .verifyFirst: return "verify"
            case .refuse(let error, _): return "refuse \(error.status.code)"
            case .leave: return "leave"
            }
        }
    }

    static func planner(verifier: TokenVerifier) throws -> LoopProxyPlanner {
        LoopProxyPlanner(
            routes: try GatewayContract.bundled().gatewayRoutes, verifier: verifier,
            targets: ["event": try #require(UpstreamTarget(baseURL: "http://127.0.0.1:9"))], maximumBodySize: 1_024)
    }

    @Test func aRememberedTokenStopsCountingOnceTheCacheIsEmptied() async throws {
        let token = try await TestKeys.token(roles: [.user])
        let cache = VerifiedTokenCache()
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: cache)
        let planner = try Self.planner(verifier: verifier)
        var memo = AuthorizationMemo()

        #expect(try Self.decision(planner, token: token, memo: &memo) == "verify")  // not cached yet
        _ = try await verifier.verify(token)
        #expect(try Self.decision(planner, token: token, memo: &memo) == "take")
        #expect(try Self.decision(planner, token: token, memo: &memo) == "take")

        // A withdrawn key empties the cache: the connection must ask again, not trust its memo.
        cache.removeAll()
        #expect(try Self.decision(planner, token: token, memo: &memo) == "verify")
        _ = try await verifier.verify(token)
        #expect(try Self.decision(planner, token: token, memo: &memo) == "take")
    }

    @Test func anotherTokenOfTheSameLengthIsNotTakenForTheRememberedOne() async throws {
        let first = try await TestKeys.token(roles: [.user])
        let second = try await TestKeys.token(roles: [.user])
        try #require(first != second)
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache())
        let planner = try Self.planner(verifier: verifier)
        var memo = AuthorizationMemo()
        _ = try await verifier.verify(first)
        #expect(try Self.decision(planner, token: first, memo: &memo) == "take")
        // Same length, other bytes: looked up (and not in the cache).
        let forged = String(first.dropLast()) + (first.last == "A" ? "B" : "A")
        #expect(try Self.decision(planner, token: forged, memo: &memo) == "verify")
        #expect(try Self.decision(planner, token: second, memo: &memo) == "verify")
        #expect(try Self.decision(planner, token: first, memo: &memo) == "take")
    }

    @Test func aTokenWithoutTheRouteRoleIsRefusedEvenWhenRemembered() async throws {
        let admin = try await TestKeys.token(roles: [.admin])
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache())
        let planner = try Self.planner(verifier: verifier)
        var memo = AuthorizationMemo()
        _ = try await verifier.verify(admin)
        // `/wallet/me` is for users: 403, as the router answers, on the first request and after.
        #expect(try Self.decision(planner, token: admin, memo: &memo) == "refuse 403")
        #expect(try Self.decision(planner, token: admin, memo: &memo) == "refuse 403")
    }
}
