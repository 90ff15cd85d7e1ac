import Gateway
import HummingbirdTesting
import PlatformCore
import TestSupport
import Testing

/// The gateway closes client connections that stay silent for its idle timeout (at one to
/// two times it), whichever path serves them, and never one in use or owed an answer.
@Suite struct IdleConnectionTests {
    @Test(arguments: ProxyPath.allCases)
    func aSilentConnectionIsClosedAtTheIdleTimeout(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path, configure: { $0.idleTimeout = .seconds(1) }) { _, gateway in
            let seconds = try await RawHTTP.secondsUntilClosedWhenSilent(port: gateway.port!, limit: 10)
            #expect(seconds != nil, "still open after 10 s")
            #expect((seconds ?? 0) >= 0.9)
        }
    }

    /// Requests closer together than the timeout keep a connection open well past it —
    /// also while the byte-level path holds it, where the handlers after it see no traffic.
    @Test(arguments: ProxyPath.allCases)
    func aConnectionInUseOutlivesTheIdleTimeout(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path, configure: { $0.idleTimeout = .seconds(2) }) { harness, gateway in
            let request = RawHTTP.request(["GET /wallet/me HTTP/1.1", "Host: g", "Authorization: Bearer \(token)"])
            let replies = try await RawHTTP.oneByOne(
                port: gateway.port!, Array(repeating: request, count: 11), pause: 0.5)
            #expect(replies.map(\.status) == Array(repeating: 200, count: 11))
            #expect(harness.proxied(by: path) == path.proxied(11))
        }
    }

    /// An answer the upstream takes far longer than the idle timeout to give still arrives:
    /// a connection owed an answer is never idle.
    @Test(arguments: ProxyPath.allCases)
    func aConnectionOwedAnAnswerIsNeverClosedForSilence(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path, configure: { $0.idleTimeout = .seconds(1) }) { _, gateway in
            let reply = try await RawHTTP.exchange(
                port: gateway.port!,
                RawHTTP.request([
                    "GET /wallet/me HTTP/1.1", "Host: g", "Authorization: Bearer \(token)", "X-Stub-Mode: hang",
                ]))
            #expect(reply.status == 200)
        }
    }

    /// Bytes of a head that never completes are not activity: a client trickling one in
    /// (a few bytes every 0.1 s, 5 s in all) is closed like a silent one.
    @Test(arguments: ProxyPath.allCases)
    func aClientTricklingAHeadIsClosedLikeASilentOne(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path, configure: { $0.idleTimeout = .seconds(1) }) { _, gateway in
            let head = RawHTTP.request(["GET /wallet/me HTTP/1.1", "Host: g", "Authorization: Bearer \(token)"])
            let size = head.count / 50 + 1
            let parts = stride(from: 0, to: head.count, by: size).map { Array(head[$0..<min($0 + size, head.count)]) }
            await #expect(throws: (any Error).self, "the trickled request was answered") {
                try await RawHTTP.exchange(port: gateway.port!, parts: parts, pause: 0.1)
            }
        }
    }

    /// The byte-level path hands a connection it does not serve to the codec path; the
    /// watch goes with it.
    @Test func aConnectionHandedToTheCodecPathIsStillClosedWhenSilent() async throws {
        try await GatewayHarness.run(configure: { $0.idleTimeout = .seconds(1) }) { harness, gateway in
            let seconds = try await RawHTTP.secondsUntilClosedWhenSilent(
                port: gateway.port!, limit: 10,
                after: RawHTTP.request(["GET /claims HTTP/1.1", "Host: g", "Authorization: Bearer not.a.token"]))
            #expect(seconds != nil, "still open after 10 s")
            #expect((seconds ?? 0) >= 0.9)
            #expect(harness.proxied(by: .wire) == 0)
        }
    }

    @Test func withoutAnIdleTimeoutASilentConnectionStaysOpen() async throws {
        try await GatewayHarness.run(configure: { $0.idleTimeout = nil }) { _, gateway in
            let seconds = try await RawHTTP.secondsUntilClosedWhenSilent(port: gateway.port!, limit: 2)
            #expect(seconds == nil, "closed after \(seconds ?? 0) s")
        }
    }
}
