import Foundation
import NIOCore
import NIOHTTP1
import TestSupport
import Testing

extension FaultDrills {
    /// Drill 3 (issue 8): the drill's own MongoDB double is paused (SIGSTOP) for longer than the
    /// services' MongoDB timeouts, then resumed (SIGCONT).
    ///
    /// Asserted while paused, for reads and writes of both services through the gateway, sent
    /// one of each and then in a burst of 48 (32 to the event service: twice its 16 MongoDB
    /// connections):
    /// - every request fails fast: a 503 `SERVICE_UNAVAILABLE` or 504 `UPSTREAM_TIMEOUT`
    ///   envelope (never a 500), each within `budget` (the MongoDB timeouts plus a margin —
    ///   well inside the gateway's 10 s read timeout, so nothing hangs);
    /// - `/health/ready` of auth and of event answers 503 (the gateway's own readiness checks
    ///   only that its upstreams are alive, and is reported, not asserted);
    ///
    /// and after SIGCONT, with the same processes (no restart): every probe answers 200 again
    /// within 30 s, a claim is granted, and the invariant checker holds.
    @Suite(.serialized) struct DatabaseStallDrill {
        static let serverSelectionTimeout = 1500
        static let connectTimeout = 1000
        static let socketTimeout = 1500
        static let waitQueueTimeout = 1500
        static let environment = [
            "MONGODB_SERVER_SELECTION_TIMEOUT_MS": "\(serverSelectionTimeout)",
            "MONGODB_CONNECT_TIMEOUT_MS": "\(connectTimeout)", "MONGODB_SOCKET_TIMEOUT_MS": "\(socketTimeout)",
            "MONGODB_WAIT_QUEUE_TIMEOUT_MS": "\(waitQueueTimeout)",
        ]
        /// Copies of each probe sent at once in the second round: 48 requests, 32 of them to
        /// the event service — twice its 16 MongoDB connections, so half of them first wait
        /// for a connection (a deeper queue waits longer: see docs/RELIABILITY.md).
        static let burst = 8
        /// The longest a request may take while the database stalls: the longest wait for a
        /// pooled connection, one failed operation (the command's socket timeout, then the
        /// driver's one retry failing server selection), plus 2.5 s for two busy cores.
        static let budget = Duration.milliseconds(waitQueueTimeout + socketTimeout + serverSelectionTimeout + 2500)

        /// A request the drill sends while the database stalls and after.
        struct Probe: Sendable {
            var name: String
            var method: HTTPMethod
            var path: String
            var token: String?
            var json: [String: String]?
        }

        @Test(.timeLimit(.minutes(4))) func aStalledDatabaseFailsRequestsFastAndRecoversWithoutRestart() async throws {
            let started = ContinuousClock.now
            let double = try await MongoDoubleProcess(appName: "drill", showsErrors: false)
            do {
                try await Drill.withCluster(mongoURI: double.uri, overrides: Self.environment) { cluster in
                    try await Self.drill(cluster: cluster, double: double, started: started)
                }
            } catch {
                await double.stop()
                throw error
            }
            await double.stop()
        }

        static func drill(
            cluster: PlatformCluster, double: MongoDoubleProcess, started: ContinuousClock.Instant
        )
            async throws
        {
            let admin = try await cluster.adminToken()
            let (event, _) = try await cluster.activeEvent(
                token: admin, title: "Stall", conditions: [["type": "CONTINUOUS_LOGIN", "days": 1]],
                rewards: [["type": "POINT", "name": "Stall points", "amount": 5]])
            let stalled = try await cluster.signUp("stalled@example.com")
            let later = try await cluster.signUp("later@example.com")
            let checker = InvariantChecker(cluster: cluster)
            #expect(try await checker.waitUntilSettled(timeout: .seconds(30)))
            let probes = [
                Probe(name: "list events", method: .GET, path: "/events", token: stalled.token),
                Probe(name: "wallet", method: .GET, path: "/wallet/me", token: stalled.token),
                Probe(name: "progress", method: .GET, path: "/events/\(event)/progress", token: stalled.token),
                Probe(name: "me", method: .GET, path: "/auth/me", token: stalled.token),
                Probe(
                    name: "login", method: .POST, path: "/auth/login",
                    json: ["email": "stalled@example.com", "password": "password-stalled@example.com"]),
            ]
            let pids = Set(PlatformCluster.Service.allCases.compactMap { cluster.process($0)?.processIdentifier })
            // A client with a connection per request: the shared one keeps 8 per host, and
            // requests queued there would add the client's own waiting to every timing.
            let (stallReplies, readiness, pausedFor) = try await StormClient.with(
                baseURL: cluster.gateway.baseURL, connections: 64
            ) { client in
                for probe in probes { #expect(await Self.send(probe, client).status == 200, "\(probe.name) before") }
                double.pause()
                let pausedAt = ContinuousClock.now
                var replies: [(String, StormClient.Reply)] = []
                var readiness: [String: Int] = [:]
                var stallProbes = probes
                stallProbes.append(
                    Probe(name: "claim", method: .POST, path: "/events/\(event)/claims", token: stalled.token))
                do {
                    // One of each, then a burst of `burst` of each: more requests than a service
                    // has MongoDB connections (16), so some must wait for a connection.
                    for round in [stallProbes, Array(repeating: stallProbes, count: Self.burst).flatMap { $0 }] {
                        replies += try await Drill.concurrently(round, limit: round.count) { probe in
                            (probe.name, await Self.send(probe, client))
                        }
                    }
                    for service in PlatformCluster.Service.allCases {
                        let reply = await client.call(
                            .GET, "/health/ready", token: nil, on: cluster.client(service).baseURL)
                        readiness[service.rawValue] = reply.status ?? 0
                        replies.append(("\(service.rawValue) ready", reply))
                    }
                } catch {
                    double.resume()
                    throw error
                }
                let pausedFor = ContinuousClock.now - pausedAt
                double.resume()
                return (replies, readiness, pausedFor)
            }

            for (name, reply) in stallReplies {
                #expect(reply.elapsed < Self.budget, "\(name) took \(reply.elapsed) while the database stalled")
                #expect(reply.status != nil && reply.status != 500, "\(name): \(reply.text)")
                if name == "gateway ready" { continue }
                #expect([503, 504].contains(reply.status ?? 0), "\(name) answered \(reply.status ?? 0): \(reply.text)")
                #expect(
                    ["SERVICE_UNAVAILABLE", "UPSTREAM_TIMEOUT"].contains(reply.errorCode ?? ""),
                    "\(name): \(reply.text)")
            }
            #expect(pausedFor > .milliseconds(2 * max(Self.socketTimeout, Self.serverSelectionTimeout)))

            let resumedAt = ContinuousClock.now
            let recovered = try await Drill.eventually(timeout: .seconds(30)) {
                for probe in probes
                where try await cluster.gateway.call(probe.method, probe.path, token: probe.token, json: probe.json)
                    .status != 200
                {
                    return false
                }
                return true
            }
            let recoveredAfter = ContinuousClock.now - resumedAt
            #expect(recovered, "the platform did not recover within 30 s of SIGCONT")
            let claim = try await cluster.gateway.call(.POST, "/events/\(event)/claims", token: later.token)
            #expect(claim.status == 201, "claim after the stall: \(claim.text)")
            let samePids = Set(PlatformCluster.Service.allCases.compactMap { cluster.process($0)?.processIdentifier })
            #expect(
                samePids == pids
                    && PlatformCluster.Service.allCases.allSatisfy { cluster.process($0)?.isRunning == true })
            // A record the outbox relay took just before the stall, and whose delivery it could
            // not store, stays leased (30 s) before it is delivered again: wait that out.
            let report = try await checker.check(settle: .seconds(45))

            let slowest = stallReplies.map(\.1.elapsed).max() ?? .zero
            let statuses = Dictionary(grouping: stallReplies.map { $0.1.status ?? 0 }, by: { $0 }).mapValues(\.count)
            print(
                "drill database-stall: requests=\(stallReplies.count) pausedFor=\(Drill.milliseconds(pausedFor))ms "
                    + "statuses=\(statuses.sorted { $0.key < $1.key }.map { "\($0.key):\($0.value)" }.joined(separator: ",")) "
                    + "slowest=\(Drill.milliseconds(slowest))ms budget=\(Drill.milliseconds(Self.budget))ms "
                    + "ready(auth,event,gateway)=\(readiness["auth"] ?? 0),\(readiness["event"] ?? 0),\(readiness["gateway"] ?? 0) "
                    + "recoveredAfter=\(Drill.milliseconds(recoveredAfter))ms restarts=0 grants=\(report.granted) "
                    + "duplicates=\(report.duplicates) lost=\(report.lost) pending=\(report.pending) "
                    + "elapsed=\(Drill.milliseconds(ContinuousClock.now - started))ms")
        }

        static func send(_ probe: Probe, _ client: StormClient) async -> StormClient.Reply {
            await client.call(probe.method, probe.path, token: probe.token, json: probe.json)
        }
    }
}
