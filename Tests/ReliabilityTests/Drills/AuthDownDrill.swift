import Foundation
import NIOCore
import NIOHTTP1
import PlatformCore
import TestSupport
import Testing

extension FaultDrills {
    /// Drill 4 (issue 8): the auth service is killed (SIGKILL) and stays down for a while.
    ///
    /// Asserted while auth is down, every answer within 3 s (nothing waits on the dead upstream):
    /// - the gateway (and the event service behind it) still verify tokens from the JWKS they
    ///   fetched at start: a USER token issued before the kill and never used until now reads
    ///   `GET /wallet/me` (200), lists events, reads its progress and claims (201 GRANTED);
    /// - a token signed by a key auth never published is still refused (401 `UNAUTHORIZED`):
    ///   the gateway fails closed when it cannot refresh its keys;
    /// - login and `/auth/me` answer a 502 `UPSTREAM_UNAVAILABLE` (or 503) envelope, never a 500;
    /// - the gateway's `/health/ready` says not ready (503);
    ///
    /// and after auth restarts, login works again and the invariant checker holds.
    @Suite(.serialized) struct AuthDownDrill {
        static let budget = Duration.seconds(3)

        @Test(.timeLimit(.minutes(3))) func theGatewayKeepsVerifyingTokensWhileAuthIsDown() async throws {
            let started = ContinuousClock.now
            try await Drill.withCluster(overrides: [:]) { cluster in
                let admin = try await cluster.adminToken()
                let (event, _) = try await cluster.activeEvent(
                    token: admin, title: "Auth down", conditions: [["type": "CONTINUOUS_LOGIN", "days": 1]],
                    rewards: [["type": "POINT", "name": "Loyal points", "amount": 7]])
                let user = try await cluster.signUp("loyal@example.com")
                #expect(try await cluster.gateway.call(.GET, "/wallet/me", token: user.token).status == 200)
                // A second token, first used after auth is gone: no verified-token cache can help it.
                let unused = try await cluster.login("loyal@example.com", "password-loyal@example.com")
                let forged = try await TestKeys.token(subject: user.id, roles: [.user])
                let checker = InvariantChecker(cluster: cluster)
                #expect(try await checker.waitUntilSettled(timeout: .seconds(30)))

                try await cluster.crash(.auth)
                let gateway = cluster.gateway
                let checks: [(String, HTTPMethod, String, String?, [String: String]?, Set<Int>, Set<String>)] = [
                    ("wallet", .GET, "/wallet/me", unused, nil, [200], []),
                    ("events", .GET, "/events", unused, nil, [200], []),
                    ("progress", .GET, "/events/\(event)/progress", unused, nil, [200], []),
                    ("claim", .POST, "/events/\(event)/claims", unused, nil, [201], []),
                    ("unknown key", .GET, "/wallet/me", forged, nil, [401], ["UNAUTHORIZED"]),
                    (
                        "login", .POST, "/auth/login", nil,
                        ["email": "loyal@example.com", "password": "password-loyal@example.com"], [502, 503],
                        ["UPSTREAM_UNAVAILABLE", "SERVICE_UNAVAILABLE"]
                    ),
                    (
                        "me", .GET, "/auth/me", unused, nil, [502, 503],
                        ["UPSTREAM_UNAVAILABLE", "SERVICE_UNAVAILABLE"]
                    ),
                    ("gateway ready", .GET, "/health/ready", nil, nil, [503], ["SERVICE_UNAVAILABLE"]),
                ]
                var statuses: [String] = []
                var slowest = Duration.zero
                for (name, method, path, token, json, expected, codes) in checks {
                    let (reply, elapsed) = try await Drill.timed {
                        try await gateway.call(method, path, token: token, json: json, timeout: .seconds(30))
                    }
                    slowest = max(slowest, elapsed)
                    statuses.append("\(name.replacingOccurrences(of: " ", with: "-")):\(reply.status)")
                    #expect(expected.contains(reply.status), "\(name) answered \(reply.status): \(reply.text)")
                    if !codes.isEmpty { #expect(codes.contains(reply.errorCode ?? ""), "\(name): \(reply.text)") }
                    #expect(elapsed < Self.budget, "\(name) took \(elapsed) while auth was down")
                }
                let wallet = try await gateway.call(.GET, "/wallet/me", token: unused)
                #expect(wallet.object["points"] as? Int == 7)

                try await cluster.start(.auth)
                let back = try await Drill.eventually(timeout: .seconds(30)) {
                    try await gateway.call(
                        .POST, "/auth/login",
                        json: [
                            "email": "loyal@example.com",
                            "password": "password-loyal@example.com",
                        ]
                    ).status == 200
                }
                #expect(back, "login did not work again after auth restarted")
                let report = try await checker.check()
                #expect(report.granted == 1)
                print(
                    "drill auth-down: requests=\(checks.count + 1) kills=1 \(statuses.joined(separator: " ")) "
                        + "slowest=\(Drill.milliseconds(slowest))ms loginBack=\(back) grants=\(report.granted) "
                        + "duplicates=\(report.duplicates) lost=\(report.lost) pending=\(report.pending) "
                        + "elapsed=\(Drill.milliseconds(ContinuousClock.now - started))ms")
            }
        }
    }
}
