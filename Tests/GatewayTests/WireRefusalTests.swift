import Foundation
import Gateway
import HummingbirdTesting
import PlatformCore
import Prometheus
import TestSupport
import Testing

/// A request the byte-level path would forward but for its `Authorization` is answered
/// there, with exactly the router's answer, and the connection stays on that path: a client
/// sending bad tokens no longer moves its connection to the codec path and the router.
@Suite struct WireRefusalTests {
    /// Each way `Authorization` can fail a guarded route (`GET /claims`: OPERATOR, AUDITOR or
    /// ADMIN).
    enum Refusal: String, CaseIterable, Sendable, CustomStringConvertible {
        case noAuthorization, basicScheme, forgedSignature, sameForgeryAgain, noneOfTheRoles, budgetUsedUp
        case keysNotLoaded

        var description: String { rawValue }

        var status: Int {
            switch self {
            case .noAuthorization, .basicScheme, .forgedSignature, .sameForgeryAgain: 401
            case .noneOfTheRoles: 403
            case .budgetUsedUp: 429
            case .keysNotLoaded: 503
            }
        }

        /// The `Authorization` values sent, one request each; the last one's answer is
        /// compared (`nil`: no header). Forged tokens are `genuine` with a changed signature.
        func authorizations(forging genuine: String) async throws -> [String?] {
            func forgery(_ index: Int) throws -> String {
                "Bearer " + (try TokenFailureBudgetTests.forgery(of: genuine, at: index))
            }
            switch self {
            case .noAuthorization:
                return [nil]
            case .basicScheme:
                return ["Basic YWRtaW46YWRtaW4="]
            case .forgedSignature:
                return [try forgery(0)]
            case .sameForgeryAgain:
                return [try forgery(0), try forgery(0)]
            case .noneOfTheRoles:
                return ["Bearer " + (try await TestKeys.token(roles: [.user]))]
            case .budgetUsedUp:
                return [try forgery(0), try forgery(1)]
            case .keysNotLoaded:
                return ["Bearer " + (try await TestKeys.token(roles: [.admin], useSecondaryKey: true))]
            }
        }
    }

    /// What one path answered: the last refused request's reply, the answer to a public
    /// request sent after the refusals on the same connection, and the gateway's counts.
    struct Outcome {
        var refusalsSent: Int
        var refused: RawReply
        var followingStatus: Int
        var refusedOnWire: Int
        var proxiedAsBytes: Int
        var countedByRoute: Int
        var upstreamRequests: Int
    }

    @Test(arguments: Refusal.allCases)
    func theRefusalIsTheRoutersAnswerAndTheConnectionStaysOnTheBytePath(refusal: Refusal) async throws {
        let wire = try await outcome(of: refusal, on: .wire)
        let router = try await outcome(of: refusal, on: .router)
        #expect(wire.refused.status == refusal.status)
        #expect(Self.normalized(wire.refused) == Self.normalized(router.refused))
        let envelope = try #require(wire.refused.envelope)
        #expect(envelope["requestId"] as? String == wire.refused.values("X-Request-Id").first)
        #expect(wire.refused.values("Date").count == 1)
        // Answered on the byte-level path, which kept the connection: the public request
        // after the refusals was forwarded as bytes.
        #expect(wire.refusedOnWire == wire.refusalsSent)
        #expect(wire.proxiedAsBytes == 1)
        #expect(wire.followingStatus == 200)
        // Counted by route and status as the router counts them; nothing reached the upstream.
        #expect(wire.countedByRoute == router.countedByRoute)
        #expect(wire.countedByRoute >= 1)
        #expect(wire.upstreamRequests == 0)
        #expect(router.upstreamRequests == 0)
    }

    /// The client's own `X-Request-Id` is kept, as the router keeps it.
    @Test func theClientsRequestIDIsKept() async throws {
        try await GatewayHarness.run { harness, gateway in
            let reply = try await RawHTTP.exchange(
                port: gateway.port!,
                RawHTTP.request(["GET /claims HTTP/1.1", "Host: g", "X-Request-Id: client-chosen-id-1"]))
            #expect(reply.status == 401)
            #expect(reply.values("X-Request-Id") == ["client-chosen-id-1"])
            #expect(reply.envelope?["requestId"] as? String == "client-chosen-id-1")
            #expect(harness.metrics.value(of: "gateway_wire_refused_requests_total") == 1)
        }
    }

    /// A refused request's body is read and dropped: pipelined behind it, the next request
    /// is served, as bytes; and a body arriving after its answer is dropped too.
    @Test func aRefusedRequestsBodyIsDroppedAndTheNextRequestServed() async throws {
        let body = Array(#"{"name":"not sent on"}"#.utf8)
        let refusedPost = RawHTTP.request(
            ["POST /events HTTP/1.1", "Host: g", "Content-Type: application/json", "Content-Length: \(body.count)"],
            body: body)
        let publicGet = RawHTTP.request(["GET /.well-known/jwks.json HTTP/1.1", "Host: g"])
        try await GatewayHarness.run { harness, gateway in
            let pipelined = try await RawHTTP.pipelined(port: gateway.port!, [refusedPost, publicGet], count: 2)
            #expect(pipelined.map(\.status) == [401, 200])

            // The head alone, answered before its body is sent; then the body and the next
            // request together.
            let headOnly = Array(refusedPost.dropLast(body.count))
            let oneByOne = try await RawHTTP.oneByOne(
                port: gateway.port!, [headOnly, body + publicGet], pause: 0.1)
            #expect(oneByOne.map(\.status) == [401, 200])

            #expect(harness.metrics.value(of: "gateway_wire_refused_requests_total") == 2)
            #expect(harness.proxiedAsBytes == 2)
            #expect(harness.event.requests.isEmpty)
            #expect(harness.auth.requests.count == 2)
        }
    }

    /// A refused request pipelined behind a forwarded one, its body arriving after the
    /// answers: the rest of the body is read and dropped, and the request after it served.
    @Test func aRefusedRequestBehindAnExchangeHasItsLateBodyDropped() async throws {
        let body = [UInt8](repeating: UInt8(ascii: "x"), count: 1_000)
        let post = RawHTTP.request(
            ["POST /events HTTP/1.1", "Host: g", "Content-Type: application/json", "Content-Length: \(body.count)"])
        let get = RawHTTP.request(["GET /.well-known/jwks.json HTTP/1.1", "Host: g"])
        try await GatewayHarness.run { harness, gateway in
            let port = gateway.port!
            let statuses = try await RawHTTP.onOwnThread {
                let connection = try RawConnection(port: port)
                connection.send(get + post + body[..<400])
                let answered = try connection.replies(2)
                connection.send(Array(body[400...]) + get)
                return (answered + (try connection.replies(1))).map(\.status)
            }
            #expect(statuses == [200, 401, 200])
            #expect(harness.proxiedAsBytes == 2)
        }
    }

    /// A client that half-closes before the body of a request refused here is complete can
    /// never send the rest: it gets its answer and the connection is closed (not left to the
    /// idle timeout), whether it half-closed with the request (seen while the token is
    /// checked) or after the answer.
    @Test(arguments: [false, true])
    func aClientHalfClosingBeforeItsRefusedBodyEndsIsClosed(afterTheAnswer: Bool) async throws {
        let forged = try TokenFailureBudgetTests.forgery(of: try await TestKeys.token(roles: [.admin]), at: 0)
        let head = RawHTTP.request([
            "POST /events HTTP/1.1", "Host: g", "Authorization: Bearer \(forged)", "Content-Type: application/json",
            "Content-Length: 1000",
        ])
        // With a cache of verified tokens, as in production: the token is checked on the
        // byte-level path (without one, a token that fails is the router's).
        let verifier = TokenVerifier(keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache())
        try await GatewayHarness.run(verifier: verifier) { harness, gateway in
            let port = gateway.port!
            let (status, secondsToClose) = try await RawHTTP.onOwnThread {
                let connection = try RawConnection(port: port, timeout: 10)
                connection.send(head + [UInt8](repeating: UInt8(ascii: "x"), count: 100))
                if !afterTheAnswer { connection.halfClose() }
                let status = try connection.replies(1)[0].status
                if afterTheAnswer { connection.halfClose() }
                return (status, connection.secondsUntilClosed())
            }
            #expect(status == 401)
            #expect(secondsToClose != nil)  // within 10 s; the idle timeout is 75
            #expect(harness.metrics.value(of: "gateway_wire_refused_requests_total") == 1)
        }
    }

    private func outcome(of refusal: Refusal, on path: ProxyPath) async throws -> Outcome {
        let verifier = TokenVerifier(
            keys: try await TestKeys.verifyingKeys(), cache: VerifiedTokenCache(),
            failureBudget: TokenFailureBudget(limit: refusal == .budgetUsedUp ? 1 : 20, windowSeconds: 60))
        let authorizations = try await refusal.authorizations(forging: try await TestKeys.token(roles: [.admin]))
        let keysAvailable: (@Sendable () -> Bool)? = refusal == .keysNotLoaded ? { @Sendable in false } : nil
        nonisolated(unsafe) var outcome: Outcome?
        try await GatewayHarness.run(path: path, verifier: verifier, keysAvailable: keysAvailable) {
            harness, gateway in
            let requests =
                authorizations.map { authorization in
                    RawHTTP.request(
                        ["GET /claims HTTP/1.1", "Host: g"] + (authorization.map { ["Authorization: \($0)"] } ?? []))
                } + [RawHTTP.request(["GET /.well-known/jwks.json HTTP/1.1", "Host: g"])]
            let replies = try await RawHTTP.oneByOne(port: gateway.port!, requests, pause: 0)
            outcome = Outcome(
                refusalsSent: authorizations.count, refused: replies[replies.count - 2],
                followingStatus: replies[replies.count - 1].status,
                refusedOnWire: harness.metrics.value(of: "gateway_wire_refused_requests_total"),
                proxiedAsBytes: harness.proxiedAsBytes,
                countedByRoute: harness.metrics.value(
                    of: #"gateway_http_requests_total{route="/claims",method="GET",status="\#(refusal.status)"}"#),
                upstreamRequests: harness.event.requests.count)
        }
        return try #require(outcome)
    }

    /// A reply with what differs from request to request left out: `Date`, and the request id
    /// (in `X-Request-Id` and the envelope).
    static func normalized(_ reply: RawReply) -> String {
        let fields = reply.headers
            .filter { !["date", "x-request-id"].contains($0.name.lowercased()) }
            .map { "\($0.name.lowercased()): \($0.value)" }
            .sorted()
        var envelope = reply.envelope ?? [:]
        envelope["requestId"] = nil
        let body = (try? JSONSerialization.data(withJSONObject: envelope, options: .sortedKeys)) ?? Data()
        return "\(reply.status)\n" + fields.joined(separator: "\n") + "\n" + String(decoding: body, as: UTF8.self)
    }
}
