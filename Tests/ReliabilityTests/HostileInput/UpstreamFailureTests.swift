import Foundation
import NIOHTTP1
import PlatformCore
import TestSupport
import Testing

/// The gateway's exchanges with its upstreams when they fail, and the services' own guard
/// when the gateway is bypassed.
@Suite(.serialized) struct UpstreamFailureTests {
    /// The real gateway in front of a stand-in event service that takes each request and
    /// then drops the connection, cuts the response short, or never answers: every request
    /// (POST, PATCH and GET alike) reaches it exactly once and the client gets the 502/504
    /// envelope. A retried POST could record an activity or a claim twice.
    @Test func theGatewayNeverRetriesAFailedExchange() async throws {
        try await Drill.withCluster(overrides: HostileStage.overrides) { cluster in
            let user = try await TestKeys.token(subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user])
            let staff = try await TestKeys.token(subject: "65a1f0c2e4b0a1b2c3d4e5f7", roles: [.operator])
            let event = "/events/65a1f0c2e4b0a1b2c3d4e5f8"
            let requests: [(HTTPMethod, String, String, Any?)] = [
                (
                    .POST, "/activities", staff,
                    ["userId": "65a1f0c2e4b0a1b2c3d4e5f6", "type": "LOGIN", "occurredAt": PlatformClient.iso(Date())]
                ),
                (.POST, "\(event)/claims", user, nil),
                (.POST, "/events", staff, ["title": "t"]),
                (.PATCH, event, staff, ["title": "t"]),
                (.POST, "\(event)/status", staff, ["status": "ACTIVE"]),
                (.GET, "/events", user, nil),
            ]
            let behaviours: [(String, LoopbackListener.Behaviour, Int, String)] = [
                ("drop", .drop, 502, "UPSTREAM_UNAVAILABLE"), ("truncate", .truncate, 502, "UPSTREAM_UNAVAILABLE"),
                ("hang", .hang, 504, "UPSTREAM_TIMEOUT"),
            ]
            var sent = 0
            var received = 0
            for (name, behaviour, status, code) in behaviours {
                let upstream = try LoopbackListener(behaviour)
                defer { upstream.stop() }
                try await cluster.stop(.gateway)
                try await cluster.start(
                    .gateway,
                    extra: ["EVENT_URL": "http://127.0.0.1:\(upstream.port)", "GATEWAY_READ_TIMEOUT_MS": "1000"])
                // Guarded routes answer 503 until the gateway has auth's keys.
                let ready = try await Drill.eventually(timeout: .seconds(20)) {
                    try await cluster.gateway.call(.GET, "/auth/me", token: user).status == 401
                }
                #expect(ready, "the gateway never loaded auth's keys")
                for (method, path, token, json) in requests {
                    let before = upstream.requests.count
                    let reply = try await cluster.gateway.call(method, path, token: token, json: json)
                    sent += 1
                    #expect(reply.status == status, "\(name) \(method) \(path): \(reply.status)")
                    #expect(reply.errorCode == code, "\(name) \(method) \(path): \(reply.text)")
                    let count = upstream.requests.count - before
                    received += count
                    #expect(count == 1, "\(name) \(method) \(path) reached the upstream \(count) times")
                }
            }
            print("no-retry: requests=\(sent) upstream-received=\(received) retries=\(received - sent)")
        }
    }

    /// A gateway whose auth answers `/health` but serves no usable keys is not ready: its
    /// guarded routes could only answer 503, so `/health/ready` says so (`keys: down`). With
    /// the real auth it becomes ready.
    @Test func theGatewayIsNotReadyWithoutKeys() async throws {
        try await Drill.withCluster(overrides: HostileStage.overrides) { cluster in
            let body = #"{"status":"ok"}"#
            let fakeAuth = try LoopbackListener(
                .respond(
                    "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
                        + "Connection: close\r\n\r\n\(body)"))
            defer { fakeAuth.stop() }
            try await cluster.stop(.gateway)
            try await cluster.start(.gateway, extra: ["AUTH_URL": "http://127.0.0.1:\(fakeAuth.port)"])
            let ready = try await cluster.gateway.call(.GET, "/health/ready")
            #expect(ready.status == 503)
            #expect(ready.errorCode == "SERVICE_UNAVAILABLE")
            let details = (ready.object["error"] as? [String: Any])?["details"] as? [String: Any]
            #expect(details?["checks"] as? [String: String] == ["auth": "up", "event": "up", "keys": "down"])
            let token = try await TestKeys.token(roles: [.admin])
            #expect(try await cluster.gateway.call(.GET, "/claims", token: token).errorCode == "SERVICE_UNAVAILABLE")

            try await cluster.stop(.gateway)
            try await cluster.start(.gateway)
            #expect(try await cluster.gateway.waitFor("/health/ready"))
            #expect(try await cluster.gateway.call(.GET, "/claims", token: token).status == 200)
        }
    }

    /// Straight to auth's and event's ports, bypassing the gateway: every protected
    /// operation of the contract (internal ones included) refuses a request without a
    /// token, with a malformed one, an unsigned one, one of another issuer and an expired
    /// one — 401, before its body is read. Public operations stay open.
    @Test func directCallsWithoutAValidTokenAreRefused() async throws {
        let contract = try InjectionCases.contract()
        try await Drill.withCluster(overrides: HostileStage.overrides) { cluster in
            let everyRole: [Role] = [.user, .operator, .auditor, .admin, .service]
            let subject = "65a1f0c2e4b0a1b2c3d4e5f6"
            let invalid: [(String, String?)] = [
                ("no token", nil), ("malformed token", "Bearer not.a.token"), ("Basic scheme", "Basic YTpi"),
                (
                    "alg none",
                    "Bearer "
                        + TokenForge.assemble(
                            header: ["alg": "none", "kid": TestKeys.primaryKID],
                            claims: TokenForge.claims(subject: subject, roles: everyRole.map(\.rawValue)))
                ),
                (
                    "another issuer",
                    "Bearer " + (try await TestKeys.token(subject: subject, roles: everyRole, issuer: "evil-issuer"))
                ),
                (
                    "expired",
                    "Bearer " + (try await TestKeys.token(subject: subject, roles: everyRole, expiresIn: -120))
                ),
            ]
            var outcome = AttackOutcome()
            for operation in contract.operations {
                guard let service = operation.service, case .anyOf = operation.access else { continue }
                let client = cluster.client(service == "auth" ? .auth : .event)
                let path = operation.path.template.replacingOccurrences(of: "{id}", with: subject)
                let body = operation.requestBody.map { _ in Data("{}".utf8) }
                for (name, authorization) in invalid {
                    let reply = try await client.call(
                        operation.method.nio, path, raw: body,
                        headers: authorization.map { [("Authorization", $0)] } ?? [])
                    let problems = HostileStage.problems(
                        of: reply,
                        against: AttackCase(name, .GET, path, as: .anonymous, expect: 401, "UNAUTHORIZED"))
                    outcome.record("\(operation.operationID) \(name)", status: reply.status, problems: problems)
                    #expect(problems.isEmpty, "\(service) \(operation.operationID) \(name): \(problems) \(reply.text)")
                }
            }
            // The public operations need no token (a 400 for the empty body, not a 401).
            let auth = cluster.client(.auth)
            for path in ["/auth/register", "/auth/login", "/auth/refresh"] {
                let reply = try await auth.call(.POST, path, raw: Data("{}".utf8))
                #expect(reply.status == 400, "\(path): \(reply.status)")
            }
            #expect(try await auth.call(.GET, "/.well-known/jwks.json").status == 200)
            print(outcome.summary("direct-calls"))
            #expect(outcome.cases > 0 && outcome.passed == outcome.cases)
        }
    }
}
