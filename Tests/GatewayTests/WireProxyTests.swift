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

    /// A connection keeps the pool of the last route it called: requests that alternate
    /// between the services on one connection each still reach their own service.
    @Test func requestsAlternatingBetweenServicesOnOneConnectionEachReachTheirOwn() async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run { harness, gateway in
            let targets = ["/wallet/me", "/auth/me", "/auth/me", "/claims/me?limit=2", "/auth/me", "/wallet/me"]
            let replies = try await RawHTTP.pipelined(
                port: gateway.port!,
                targets.map {
                    RawHTTP.request(["GET \($0) HTTP/1.1", "Host: gateway", "Authorization: Bearer \(token)"])
                },
                count: targets.count)
            #expect(replies.map(\.status) == Array(repeating: 200, count: targets.count))
            #expect(harness.auth.requests.map(\.target) == targets.filter { $0.hasPrefix("/auth/") })
            #expect(harness.event.requests.map(\.target) == targets.filter { !$0.hasPrefix("/auth/") })
            #expect(harness.proxied(by: .wire) == targets.count)
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

    /// An exchange's end leaves the connection's handler watched by its loop's timeouts until
    /// a sweep finds it idle: a request right behind another on the connection, which the
    /// upstream never answers, is still timed out.
    @Test func aHangRightAfterAnotherRequestOnTheConnectionIsStillTimedOut() async throws {
        // A read timeout well above what the first request may take on a loaded machine (300 ms
        // was not), well below the hang's 5 s.
        try await GatewayHarness.run(configure: { $0.readTimeout = .milliseconds(1_500) }) { harness, gateway in
            let login = ["POST /auth/login HTTP/1.1", "Host: gateway", "Content-Length: 2"]
            let replies = try await RawHTTP.pipelined(
                port: gateway.port!,
                [
                    RawHTTP.request(login, body: Array("{}".utf8)),
                    RawHTTP.request(login + ["X-Stub-Mode: hang"], body: Array("{}".utf8)),
                ], count: 2)
            // Untimed, the stub would answer the second 200 after 5 s.
            #expect(replies.map(\.status) == [200, 504])
            #expect(harness.proxied(by: .wire) == 2)
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

    /// Answers only a raw upstream gives: an interim 1xx before the answer is skipped, and a
    /// head NIO's parser would refuse too is a 502, on the byte-level path as on the codec's.
    @Test(arguments: [ProxyPath.wire, .eventLoop])
    func unusualUpstreamAnswersAreReadAsTheCodecReadsThem(path: ProxyPath) async throws {
        let cases: [(answer: String, status: Int, body: String?)] = [
            ("HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\n{}", 200, "{}"),
            ("HTTP/1.1 2x0 OK\r\nContent-Length: 2\r\n\r\n{}", 502, nil),
        ]
        for (answer, status, body) in cases {
            let upstream = try LoopbackListener(.respond(answer))
            defer { upstream.stop() }
            try await GatewayHarness.run(path: path, authPort: upstream.port) { harness, gateway in
                let reply = try await RawHTTP.exchange(
                    port: gateway.port!,
                    RawHTTP.request(
                        ["POST /auth/login HTTP/1.1", "Host: gateway", "Content-Length: 2"], body: Array("{}".utf8)))
                #expect(reply.status == status, "\(path) \(answer.debugDescription)")
                if let body { #expect(String(decoding: reply.body, as: UTF8.self) == body) }
                if status == 502 { #expect(reply.envelope?["code"] as? String == "UPSTREAM_UNAVAILABLE") }
                #expect(harness.proxied(by: path) == 1)
            }
        }
    }

    @Test func aCloseDelimitedAnswerIsPassedOnAndClosesTheClientsConnection() async throws {
        let upstream = try LoopbackListener(.respond("HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\n\r\nuntil close"))
        defer { upstream.stop() }
        try await GatewayHarness.run(authPort: upstream.port) { harness, gateway in
            // Read until the gateway closes: the answer has no length, so only the close ends it
            // (the client's receive timeout would end it too, without a close).
            let reply = try await RawHTTP.exchange(
                port: gateway.port!,
                RawHTTP.request(
                    ["POST /auth/login HTTP/1.1", "Host: gateway", "Content-Length: 2"], body: Array("{}".utf8)),
                timeout: 20)
            #expect(reply.status == 200)
            #expect(String(decoding: reply.body, as: UTF8.self) == "until close")
            #expect(reply.closedByServer)
            #expect(reply.values("Connection") == ["close"])
            #expect(reply.values("Content-Length").isEmpty && reply.values("Transfer-Encoding").isEmpty)
            #expect(harness.proxied(by: .wire) == 1)
        }
    }
}
