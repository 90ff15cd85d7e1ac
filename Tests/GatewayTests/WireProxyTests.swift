import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PlatformCore
import TestSupport
import Testing

/// The byte-level path (`WireProxyHandler`) on a live gateway: what it keeps, when it hands a
/// connection to the codec path, and that answers keep their order across the hand-off.
/// (What crosses to the upstream and back is `ProxyTests`, run through every path.)
@Suite struct WireProxyTests {
    @Test func pipelinedRequestsAreAllServedAsBytesInOrder() async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run { harness, gateway in
            let requests: [(id: String, lines: [String], body: String)] = [
                ("w1", ["GET /wallet/me HTTP/1.1", "Authorization: Bearer \(token)", "X-Stub-Mode: slow"], ""),
                ("w2", ["POST /auth/login HTTP/1.1", "Content-Length: 2"], "{}"),
                ("w3", ["GET /claims/me?limit=2 HTTP/1.1", "Authorization: Bearer \(token)"], ""),
            ]
            let replies = try await RawHTTP.pipelined(
                port: gateway.port!,
                requests.map {
                    RawHTTP.request($0.lines + ["Host: gateway", "X-Request-Id: \($0.id)"], body: Array($0.body.utf8))
                }, count: requests.count)
            #expect(replies.map { $0.values("X-Request-Id").first ?? "?" } == requests.map(\.id))
            #expect(replies.map(\.status) == [200, 200, 200])
            #expect(String(decoding: replies[0].body, as: UTF8.self) == #"{"slow":true}"#)
            #expect(try replies[1].echoed().body == Array("{}".utf8))
            #expect(harness.proxied(by: .wire) == 3)
        }
    }

    @Test func theFirstRequestItDoesNotTakeHandsTheConnectionToTheCodecPath() async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run { harness, gateway in
            let replies = try await RawHTTP.pipelined(
                port: gateway.port!,
                [
                    RawHTTP.request(["GET /wallet/me HTTP/1.1", "Host: g", "Authorization: Bearer \(token)"]),
                    // Outside the subset (a space at the end of a value): NIO's parser reads it.
                    RawHTTP.request(["GET /wallet/me HTTP/1.1", "Host: g ", "Authorization: Bearer \(token)"]),
                    RawHTTP.request(["GET /wallet/me HTTP/1.1", "Host: g", "Authorization: Bearer \(token)"]),
                ], count: 3)
            #expect(replies.map(\.status) == [200, 200, 200])
            // The first as bytes; the others behind the codec, on the loop still.
            #expect(harness.proxied(by: .wire) == 1)
            #expect(harness.proxied(by: .eventLoop) == 2)
        }
    }

    @Test func beyondThePoolsLimitRequestsWaitForAConnectionInsteadOfLeavingThePath() async throws {
        let token = try await TestKeys.token(roles: [.user])
        // More slow requests at once than the loops' pools hold connections (2 per loop here).
        let count = 2 * System.coreCount + 8
        try await GatewayHarness.run(configure: { $0.upstreamConnectionsPerLoop = 2 }) { harness, gateway in
            let port = gateway.port!
            let request = RawHTTP.request([
                "GET /wallet/me HTTP/1.1", "Host: gateway", "Authorization: Bearer \(token)", "X-Stub-Mode: slow",
            ])
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<count {
                    group.addTask { try await RawHTTP.exchange(port: port, request, timeout: 30).status }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(statuses == Array(repeating: 200, count: count))
            #expect(harness.proxied(by: .wire) == count)
        }
    }

    @Test func aHeadArrivingInPiecesIsStillReadAsBytes() async throws {
        try await GatewayHarness.run { harness, gateway in
            let request = RawHTTP.request([
                "POST /auth/login HTTP/1.1", "Host: gateway", "Content-Type: application/json", "Content-Length: 9",
            ])
            let reply = try await RawHTTP.exchange(
                port: gateway.port!,
                parts: [
                    Array(request[..<7]), Array(request[7..<40]), Array(request[40...]), Array("{\"a\":".utf8),
                    Array("1}\n\n".utf8),
                ],
                pause: 0.1)
            #expect(reply.status == 200)
            #expect(try reply.echoed().body == Array("{\"a\":1}\n\n".utf8))
            #expect(harness.proxied(by: .wire) == 1)
        }
    }

    @Test func malformedBytesAfterARequestServedAsBytesGetTheParsersAnswer() async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run { harness, gateway in
            let replies = try await RawHTTP.pipelined(
                port: gateway.port!,
                [
                    RawHTTP.request([
                        "GET /wallet/me HTTP/1.1", "Host: gateway", "Authorization: Bearer \(token)",
                        "X-Stub-Mode: slow",
                    ]),
                    Array("GET /wallet/me HTTP/1.1\r\nHost: gateway\r\nX-Bad: a\rb\r\n\r\n".utf8),
                ], count: 2)
            #expect(replies.map(\.status) == [200, 400])
            #expect(replies[1].envelope?["code"] as? String == "VALIDATION_FAILED")
            #expect(harness.proxied(by: .wire) == 1)
        }
    }
}
