import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import JWTKit
import Logging
import PlatformCore
import ServiceLifecycle
import TestSupport
import Testing

/// The JWKS refresher against a stub auth: keys load at start, a token of a new `kid` is
/// accepted once auth publishes it (no restart), delisted keys stop working, and junk in
/// the set is ignored.
@Suite struct KeyRotationTests {
    static func jwk(_ key: ES256PublicKey, kid: String) -> String {
        let parameters = key.parameters!
        return
            #"{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"\#(kid)","x":"\#(parameters.x)","y":"\#(parameters.y)"}"#
    }

    static func jwks(_ keys: [String]) -> String { #"{"keys":["# + keys.joined(separator: ",") + "]}" }

    @Test func tokenOfARotatedKeyIsAcceptedWithoutRestart() async throws {
        let primary = Self.jwk(try TestKeys.primaryKey().publicKey, kid: TestKeys.primaryKID)
        let secondary = Self.jwk(try TestKeys.secondaryKey().publicKey, kid: TestKeys.secondaryKID)
        let oldToken = try await TestKeys.token(roles: [.admin])
        let newToken = try await TestKeys.token(roles: [.admin], useSecondaryKey: true)
        let jwksStub = StubUpstream()
        // RSA, P-384 and symmetric keys must be ignored, not break the set.
        jwksStub.serveJWKS(
            Self.jwks([
                #"{"kty":"RSA","kid":"rsa-1","n":"AQAB","e":"AQAB"}"#,
                #"{"kty":"EC","crv":"P-384","kid":"p384","x":"AAAA","y":"AAAA"}"#,
                #"{"kty":"oct","kid":"hmac","k":"c2VjcmV0"}"#, primary,
            ]))
        try await jwksStub.run { jwksPort in
            try await Self.withHTTPClient { client in
                let refresher = JWKSRefresher(
                    configuration: .init(
                        url: "http://127.0.0.1:\(jwksPort)/.well-known/jwks.json",
                        minimumRefreshInterval: .milliseconds(200),
                        periodicRefreshInterval: .seconds(3600), initialRetryDelay: .milliseconds(20)),
                    httpClient: client, logger: Logger(label: "jwks") { _ in SwiftLogNoOpLogHandler() })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await refresher.run() }
                    try await Self.poll("initial keys") { refresher.hasKeys }
                    // With a token cache: a withdrawn key's tokens must not live on in it.
                    let cache = VerifiedTokenCache()
                    try await GatewayHarness.run(verifier: refresher.verifier(cache: cache)) { harness, gateway in
                        let old = try await gateway.execute(uri: "/users", method: .get, headers: .bearer(oldToken))
                        #expect(old.status == .ok)
                        let early = try await gateway.execute(uri: "/users", method: .get, headers: .bearer(newToken))
                        #expect(early.status == .unauthorized)

                        // Auth rotates: the new key is published next to the old one.
                        jwksStub.serveJWKS(Self.jwks([primary, secondary]))
                        try await Self.poll("new kid accepted") {
                            let response = try await gateway.execute(
                                uri: "/users", method: .get, headers: .bearer(newToken))
                            return response.status == .ok
                        }
                        let stillOld = try await gateway.execute(
                            uri: "/users", method: .get, headers: .bearer(oldToken))
                        #expect(stillOld.status == .ok)

                        // The old key is delisted: once the set is fetched again it no longer verifies.
                        jwksStub.serveJWKS(Self.jwks([secondary]))
                        try await Task.sleep(for: .milliseconds(250))
                        #expect(await refresher.refresh() == false)
                        let retired = try await gateway.execute(uri: "/users", method: .get, headers: .bearer(oldToken))
                        #expect(retired.status == .unauthorized)
                        #expect(cache.count <= 1)  // emptied when the key went; the new token may be back
                        _ = harness
                    }
                    group.cancelAll()
                }
            }
        }
    }

    @Test func unknownKIDRefreshesAreRateLimited() async throws {
        let jwksStub = StubUpstream()
        jwksStub.serveJWKS(Self.jwks([Self.jwk(try TestKeys.primaryKey().publicKey, kid: TestKeys.primaryKID)]))
        let stranger = try await TestKeys.token(roles: [.admin], useSecondaryKey: true)
        try await jwksStub.run { port in
            try await Self.withHTTPClient { client in
                let refresher = JWKSRefresher(
                    configuration: .init(
                        url: "http://127.0.0.1:\(port)/.well-known/jwks.json", minimumRefreshInterval: .seconds(60)),
                    httpClient: client, logger: Logger(label: "jwks") { _ in SwiftLogNoOpLogHandler() })
                let verifier = refresher.verifier()
                for _ in 0..<20 {
                    await #expect(throws: APIError.self) { try await verifier.verify(stranger) }
                }
                #expect(jwksStub.jwksFetchCount == 1)
            }
        }
    }

    @Test func startIsRetriedUntilAuthPublishesAKey() async throws {
        let jwksStub = StubUpstream()
        jwksStub.serveJWKS(#"{"keys":[]}"#)  // nothing usable yet
        try await jwksStub.run { port in
            try await Self.withHTTPClient { client in
                let refresher = JWKSRefresher(
                    configuration: .init(
                        url: "http://127.0.0.1:\(port)/.well-known/jwks.json", initialRetryDelay: .milliseconds(10),
                        maximumRetryDelay: .milliseconds(40)),
                    httpClient: client, logger: Logger(label: "jwks") { _ in SwiftLogNoOpLogHandler() })
                try await withThrowingTaskGroup(of: Void.self) { group in
                    group.addTask { try await refresher.run() }
                    try await Self.poll("several attempts") { jwksStub.jwksFetchCount >= 3 }
                    #expect(refresher.hasKeys == false)
                    jwksStub.serveJWKS(
                        Self.jwks([Self.jwk(try TestKeys.primaryKey().publicKey, kid: TestKeys.primaryKID)]))
                    try await Self.poll("keys after retry") { refresher.hasKeys }
                    let token = try await TestKeys.token(roles: [.user])
                    #expect(try await refresher.verifier().verify(token).roles == [.user])
                    group.cancelAll()
                }
            }
        }
    }

    @Test func unreachableAuthLeavesNoKeysAndDoesNotThrow() async throws {
        try await Self.withHTTPClient { client in
            let refresher = JWKSRefresher(
                configuration: .init(url: "http://127.0.0.1:\(try unusedLoopbackPort())/.well-known/jwks.json"),
                httpClient: client, logger: Logger(label: "jwks") { _ in SwiftLogNoOpLogHandler() })
            #expect(await refresher.refresh() == false)
            #expect(refresher.hasKeys == false)
        }
    }

    /// Runs `body` with a new HTTP client and shuts the client down afterwards, also when
    /// `body` throws: a client dropped without `shutdown()` traps, and would take every other
    /// test of the process down with this one.
    static func withHTTPClient(_ body: (HTTPClient) async throws -> Void) async throws {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            try await body(client)
        } catch {
            try await client.shutdown()
            throw error
        }
        try await client.shutdown()
    }

    /// Polls `condition` every 50 ms until it holds, failing after `timeout`. The limit is
    /// generous: it only ends a test that is broken, and at the start of the whole suite,
    /// with every test starting servers at once on two cores, 10 s was seen to run out.
    static func poll(
        _ what: String, timeout: Duration = .seconds(60), _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(50))
        }
        Issue.record("timed out waiting for: \(what)")
        throw TestSupportError("timed out waiting for: \(what)")
    }
}
