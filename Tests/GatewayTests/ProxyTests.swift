import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import NIOHTTP1
import PlatformCore
import TestSupport
import Testing

/// What crosses the gateway to an upstream and back, and how upstream failures are answered.
@Suite struct ProxyTests {
    @Test(arguments: ProxyPath.allCases)
    func spoofedIdentityHeadersNeverReachTheUpstream(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/wallet/me", method: .get,
                headers: [
                    .authorization: "Bearer \(token)", HTTPField.Name("X-User-Id")!: "65a1f0c2e4b0a1b2c3d4e5f6",
                    HTTPField.Name("X-User-Roles")!: "ADMIN", HTTPField.Name("x-user-anything")!: "1",
                ])
            #expect(response.status == .ok)
            let echoed = try #require(harness.event.requests.last)
            #expect(!echoed.headers.contains { $0[0].lowercased().hasPrefix("x-user-") })
            // The original Authorization passes unchanged (auth and event verify it again).
            #expect(echoed.values("Authorization") == ["Bearer \(token)"])
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func queryAndBodyAreForwardedByteForByte(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.operator])
        let target = "/events?status=ACTIVE&limit=5&x=%E2%9C%93&x=a%20b&empty="
        let body: ByteBuffer = {
            var body = ByteBuffer(string: #"{"title":"Löwe ✓","n":[1,2,3]}"#)
            body.writeBytes([0x00, 0xFF, 0x0A])
            return body
        }()
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: target, method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json; charset=utf-8"],
                body: body)
            #expect(response.status == .ok)
            let echoed = try response.echoed()
            #expect(echoed.method == "POST")
            #expect(echoed.target == target)
            #expect(echoed.body == Array(body.readableBytesView))
            #expect(echoed.values("Content-Type") == ["application/json; charset=utf-8"])
            #expect(harness.auth.requests.isEmpty)
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    /// The upstream's base URL: its path goes before every target, its authority is the
    /// `Host`; the answer carries the gateway's `Date` (IMF-fixdate).
    @Test(arguments: ProxyPath.allCases)
    func theBaseURLsPathPrefixesTheTargetAndItsAuthorityIsTheHost(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.operator])
        try await GatewayHarness.run(path: path, configure: { $0.eventURL += "/base/v1" }) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/events?limit=5", method: .get, headers: [.authorization: "Bearer \(token)"])
            #expect(response.status == .ok)
            let echoed = try response.echoed()
            #expect(echoed.target == "/base/v1/events?limit=5")
            let authority = try #require(echoed.authority)
            #expect(authority.hasPrefix("127.0.0.1:") && Int(authority.dropFirst("127.0.0.1:".count)) != nil)
            let date = try #require(response.headers[.date])
            let imfFixdate = /(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT/
            #expect(date.wholeMatch(of: imfFixdate) != nil, "\(date)")
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func requestIDIsEchoedAndForwarded(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/auth/login", method: .post, headers: [.xRequestID: "client-id.42:x_y-z"],
                body: ByteBuffer(string: "{}"))
            #expect(response.headers[.xRequestID] == "client-id.42:x_y-z")
            #expect(try response.echoed().values("X-Request-Id") == ["client-id.42:x_y-z"])
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: [nil, "has space", String(repeating: "a", count: 129), "semi;colon"], ProxyPath.allCases)
    func missingOrInsaneRequestIDIsReplacedByAGeneratedOne(sent: String?, path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path) { harness, gateway in
            var headers: HTTPFields = [:]
            if let sent { headers[.xRequestID] = sent }
            // Forwarded first: the gateway's own answer below hands the connection from the
            // byte-level path to the codec for good.
            let forwarded = try await gateway.execute(
                uri: "/auth/register", method: .post, headers: headers, body: ByteBuffer(string: "{}"))
            let forwardedID = try #require(forwarded.headers[.xRequestID])
            #expect(forwardedID != sent && forwardedID.count == 32)
            #expect(try forwarded.echoed().values("X-Request-Id") == [forwardedID])
            #expect(harness.proxied(by: path) == path.proxied(1))
            let response = try await gateway.execute(uri: "/auth/me", method: .get, headers: headers)
            let id = try #require(response.headers[.xRequestID])
            #expect(id != sent)
            #expect(id.count == 32 && id.allSatisfy(\.isHexDigit))
            #expect(try response.envelope().requestId == id)  // 401: no token
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func forwardedForCarriesTheClientAddress(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path) { harness, gateway in
            let first = try await gateway.execute(uri: "/.well-known/jwks.json", method: .get)
            _ = first
            let response = try await gateway.execute(
                uri: "/auth/register", method: .post, headers: [HTTPField.Name("X-Forwarded-For")!: "203.0.113.7"],
                body: ByteBuffer(string: "{}"))
            #expect(try response.echoed().values("X-Forwarded-For") == ["203.0.113.7, 127.0.0.1"])
            #expect(harness.proxied(by: path) == path.proxied(2))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func upstreamErrorEnvelopePassesUnchanged(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/events/65a1f0c2e4b0a1b2c3d4e5f6/claims", method: .post,
                headers: [.authorization: "Bearer \(token)", HTTPField.Name("X-Stub-Mode")!: "envelope"],
                body: ByteBuffer())
            #expect(response.status == .conflict)
            #expect(response.text == StubUpstream.envelopeBody)
            #expect(response.headers[HTTPField.Name("X-Upstream")!] == "yes")
            #expect(response.headers[.contentType] == "application/json")
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func upstreamServerErrorPassesAsIs(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/auth/login", method: .post, headers: [HTTPField.Name("X-Stub-Mode")!: "fail"],
                body: ByteBuffer(string: "{}"))
            #expect(response.status == .internalServerError)
            #expect(response.text == #"{"oops":true}"#)
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func upstreamNoContentPassesWithoutABody(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/auth/logout", method: .post,
                headers: [.authorization: "Bearer \(token)", HTTPField.Name("X-Stub-Mode")!: "nocontent"],
                body: ByteBuffer(string: #"{"refreshToken":"r"}"#))
            #expect(response.status == .noContent)
            #expect(response.body.readableBytes == 0)
            #expect(response.headers[.transferEncoding] == nil)
            #expect(harness.auth.requests.count == 1)
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    /// An answer whose body comes in parts passes whole: chunked, or with a declared length
    /// whose bytes arrive after the head (the byte-level path then holds the head until the
    /// body is in).
    @Test(arguments: ["chunked", "lengthInParts"], ProxyPath.allCases)
    func upstreamAnswerInPartsPassesWhole(mode: String, path: ProxyPath) async throws {
        let expected = mode == "chunked" ? "first,second,third" : StubUpstream.partsBody
        try await GatewayHarness.run(path: path) { harness, gateway in
            for _ in 0..<2 {  // twice: the upstream connection is reusable afterwards
                let response = try await gateway.execute(
                    uri: "/auth/login", method: .post, headers: [HTTPField.Name("X-Stub-Mode")!: mode],
                    body: ByteBuffer(string: "{}"))
                #expect(response.status == .ok)
                #expect(response.text == expected)
                #expect(response.headers[.contentType] == "text/plain")
                if mode == "lengthInParts" {
                    #expect(response.headers[.contentLength] == "\(expected.utf8.count)")
                }
            }
            #expect(harness.proxied(by: path) == path.proxied(2))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func bodyOverOneMebibyteIsRefusedBeforeTheUpstreamSeesIt(path: ProxyPath) async throws {
        let token = try await TestKeys.token(roles: [.operator])
        let big = ByteBuffer(repeating: UInt8(ascii: "a"), count: 2 << 20)
        try await GatewayHarness.run(path: path) { harness, gateway in
            // Exactly the limit passes (first: the 413 below hands the connection from the
            // byte-level path to the codec for good).
            let limit = ByteBuffer(repeating: UInt8(ascii: "b"), count: 1 << 20)
            let accepted = try await gateway.execute(
                uri: "/activities", method: .post, headers: [.authorization: "Bearer \(token)"], body: limit)
            #expect(accepted.status == .ok)
            #expect(harness.event.requests.count == 1)
            #expect(harness.proxied(by: path) == path.proxied(1))
            let response = try await gateway.execute(
                uri: "/activities", method: .post,
                headers: [.authorization: "Bearer \(token)", .contentType: "application/json"], body: big)
            #expect(response.status == .contentTooLarge)
            #expect(try response.envelope().code == "PAYLOAD_TOO_LARGE")
            #expect(harness.event.requests.count == 1)
        }
    }

    @Test func streamedBodyOverTheLimitIsCutOff() async throws {
        let token = try await TestKeys.token(roles: [.operator])
        try await GatewayHarness.run { harness, gateway in
            // No Content-Length: the body arrives chunked, and is capped while read.
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            var request = HTTPClientRequest(url: "http://127.0.0.1:\(gateway.port!)/activities")
            request.method = .POST
            request.headers.add(name: "Authorization", value: "Bearer \(token)")
            let chunks = AsyncStream<ByteBuffer> { continuation in
                for _ in 0..<40 { continuation.yield(ByteBuffer(repeating: UInt8(ascii: "c"), count: 64 << 10)) }
                continuation.finish()
            }
            request.body = .stream(chunks, length: .unknown)
            let outcome: Result<(UInt, String), any Error>
            do {
                let response = try await client.execute(request, timeout: .seconds(20))
                let body = try await response.body.collect(upTo: 1 << 16)
                outcome = .success((response.status.code, String(buffer: body)))
            } catch {
                outcome = .failure(error)
            }
            try await client.shutdown()
            let (status, text) = try outcome.get()
            #expect(status == 413)
            #expect(text.contains("PAYLOAD_TOO_LARGE"))
            #expect(harness.event.requests.isEmpty)
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func upstreamDownIsBadGateway(path: ProxyPath) async throws {
        let unused = try unusedLoopbackPort()
        try await GatewayHarness.run(path: path, authPort: unused) { harness, gateway in
            let response = try await gateway.execute(uri: "/auth/login", method: .post, body: ByteBuffer(string: "{}"))
            #expect(response.status == .badGateway)
            #expect(try response.envelope().code == "UPSTREAM_UNAVAILABLE")
            #expect(response.headers[.xRequestID] == (try response.envelope().requestId))
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func upstreamHangIsGatewayTimeoutAfterTheReadTimeout(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path, configure: { $0.readTimeout = .milliseconds(300) }) {
            harness, gateway in
            let response = try await gateway.execute(
                uri: "/auth/login", method: .post, headers: [HTTPField.Name("X-Stub-Mode")!: "hang"],
                body: ByteBuffer(string: "{}"))
            // The stub would answer 200 after 5 s: a 504 is the read timeout's answer.
            #expect(response.status == .gatewayTimeout)
            #expect(try response.envelope().code == "UPSTREAM_TIMEOUT")
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test func unknownRouteIsNotFoundEnvelope() async throws {
        try await GatewayHarness.run { harness, gateway in
            let response = try await gateway.execute(uri: "/nowhere/at/all", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.envelope().code == "NOT_FOUND")
            #expect(harness.auth.requests.isEmpty && harness.event.requests.isEmpty)
        }
    }

    @Test func wrongMethodIsMethodNotAllowedWithAllow() async throws {
        try await GatewayHarness.run { harness, gateway in
            let response = try await gateway.execute(uri: "/events/65a1f0c2e4b0a1b2c3d4e5f6", method: .delete)
            #expect(response.status == .methodNotAllowed)
            #expect(try response.envelope().code == "METHOD_NOT_ALLOWED")
            #expect(response.headers[.allow] == "GET, PATCH")
            // The internal audit ingest is not routed: only GET exists through the gateway.
            let ingest = try await gateway.execute(uri: "/audit-logs", method: .post, body: ByteBuffer(string: "{}"))
            #expect(ingest.status == .methodNotAllowed)
            #expect(ingest.headers[.allow] == "GET")
            #expect(harness.event.requests.isEmpty)
        }
    }

    @Test(arguments: ProxyPath.allCases)
    func tokenOnPublicRouteIsLeftToTheUpstream(path: ProxyPath) async throws {
        try await GatewayHarness.run(path: path) { harness, gateway in
            let response = try await gateway.execute(
                uri: "/auth/refresh", method: .post, headers: [.authorization: "Bearer expired.or.junk"],
                body: ByteBuffer(string: "{}"))
            #expect(response.status == .ok)
            #expect(try response.echoed().values("Authorization") == ["Bearer expired.or.junk"])
            #expect(harness.proxied(by: path) == path.proxied(1))
        }
    }

    @Test func guardedRouteIsUnavailableWhileNoKeysAreLoaded() async throws {
        let token = try await TestKeys.token(roles: [.admin], useSecondaryKey: true)
        try await GatewayHarness.run(keysAvailable: { false }) { harness, gateway in
            let response = try await gateway.execute(uri: "/users", method: .get, headers: .bearer(token))
            #expect(response.status == .serviceUnavailable)
            #expect(try response.envelope().code == "SERVICE_UNAVAILABLE")
            let anonymous = try await gateway.execute(uri: "/users", method: .get)
            #expect(anonymous.status == .unauthorized)
            #expect(harness.auth.requests.isEmpty)
        }
    }
}
