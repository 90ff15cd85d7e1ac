import Foundation
import NIOHTTP1
import Synchronization
import TestSupport
import Testing

extension FaultDrills {
    /// Drill 1 (issue 8): 200 users claim one stocked event at once through the gateway; the
    /// event service is killed with SIGKILL when a third of the answers are in, and restarted.
    ///
    /// A client whose claim got no definitive answer (a 5xx or no answer) retries it once
    /// after the restart, as a real client would; its retry may answer 201 (the first attempt
    /// never reached the database), 409 `ALREADY_CLAIMED` (it did: the retry worker finishes
    /// that claim) or 410 `OUT_OF_STOCK`.
    ///
    /// Asserted once the retry worker has settled:
    /// - no answer is a 500, every first answer is 201/410 or a 502/503/504 envelope, and the
    ///   kill interrupted requests (some first answers failed);
    /// - no user holds two GRANTED claims; the stock (150 units for 200 users) is taken
    ///   exactly by the 150 GRANTED claims, the other 50 users are REJECTED `OUT_OF_STOCK`;
    /// - each GRANTED claim has exactly one ledger entry per reward (points and a coupon);
    /// - no claim is left PENDING (or FAILED);
    /// - every client that got 201 finds its grant in `GET /wallet/me`, and every wallet
    ///   holds exactly what its user's claims granted;
    /// - the invariant checker holds (activities, outbox, stock counters, ledger).
    @Suite(.serialized) struct CrashMidStormDrill {
        static let users = 200
        static let stock = 150
        static let points = 100
        /// The worker settings: a crashed request's claim is due after 2 s, retried every 200 ms.
        static let environment = [
            "WORKER_LEASE_MS": "2000", "CLAIM_RETRY_INTERVAL_MS": "200", "CLAIM_RETRY_BACKOFF_MS": "500",
        ]

        /// What one user's client saw.
        struct Outcome: Sendable {
            var first: StormClient.Reply
            var retry: StormClient.Reply?
            /// Whether the first answer was no verdict (5xx or none): the client retries.
            var needsRetry: Bool { first.status.map { $0 >= 500 } ?? true }
            var got201: Bool { first.status == 201 || retry?.status == 201 }
        }

        @Test(.timeLimit(.minutes(5))) func killingTheEventServiceMidStormGrantsEachClaimExactlyOnce() async throws {
            let started = ContinuousClock.now
            try await Drill.withCluster(overrides: Self.environment) { cluster in
                let admin = try await cluster.adminToken()
                let (event, _) = try await cluster.activeEvent(
                    token: admin, title: "Crash storm", conditions: [["type": "CONTINUOUS_LOGIN", "days": 1]],
                    rewards: [
                        ["type": "POINT", "name": "Storm points", "amount": Self.points, "stock": Self.stock],
                        ["type": "COUPON", "name": "Storm coupon", "couponTemplate": "STORM"],
                    ])
                // Each user's login is the activity that meets the condition (via auth's outbox).
                let users = try await cluster.registerUsers("storm", count: Self.users)
                let tokens = try await cluster.loginUsers(users)
                let checker = InvariantChecker(cluster: cluster)
                #expect(try await checker.waitUntilSettled(timeout: .seconds(30)), "the logins were not delivered")

                let (outcomes, retrying) = try await StormClient.with(
                    baseURL: cluster.gateway.baseURL, connections: Self.users
                ) { storm in
                    var outcomes = try await Self.storm(cluster: cluster, client: storm, event: event, tokens: tokens)
                    // Back up: the retry worker finishes what the crash left PENDING; then failed clients retry.
                    try await cluster.start(.event)
                    #expect(try await cluster.client(.event).waitFor("/health/ready"))
                    #expect(try await checker.waitUntilSettled(timeout: .seconds(60)), "claims still PENDING")
                    let retrying = outcomes.indices.filter { outcomes[$0].needsRetry }
                    let retries = try await Drill.concurrently(retrying, limit: retrying.count + 1) { index in
                        await storm.call(.POST, "/events/\(event)/claims", token: tokens[index])
                    }
                    for (index, reply) in zip(retrying, retries) { outcomes[index].retry = reply }
                    return (outcomes, retrying)
                }
                let retries = outcomes.compactMap(\.retry)
                #expect(try await checker.waitUntilSettled(timeout: .seconds(60)), "claims still PENDING")

                let (granted, walletsLost, walletsDuplicated) = try await Self.verifyWallets(
                    cluster: cluster, event: event, users: users, tokens: tokens, outcomes: outcomes)
                let report = try await checker.check()
                Self.assertAnswers(outcomes)
                #expect(granted == Self.stock)
                #expect(report.granted == Self.stock)
                // A 410 lost in the crash and asked again is a second REJECTED claim of one user.
                #expect(report.rejected >= Self.users - Self.stock)
                #expect(report.stockTaken == Self.stock)
                #expect(report.ledgerEntries == 2 * Self.stock)
                #expect(report.pending == 0 && report.failed == 0)
                #expect(walletsLost == 0 && walletsDuplicated == 0)

                let finishedByWorker = cluster.process(.event)?.lines.filter {
                    $0.contains("\"pending claim finished\"")
                }
                print(
                    "drill crash-mid-storm: users=\(Self.users) requests=\(Self.users + retries.count) kills=1 "
                        + "first201=\(outcomes.filter { $0.first.status == 201 }.count) "
                        + "interrupted=\(retrying.count) "
                        + "retry201=\(retries.filter { $0.status == 201 }.count) "
                        + "retry409=\(retries.filter { $0.status == 409 }.count) "
                        + "retry410=\(retries.filter { $0.status == 410 }.count) "
                        + "finishedByWorker=\(finishedByWorker?.count ?? 0) grants=\(report.granted) "
                        + "outOfStock=\(report.rejected) duplicates=\(report.duplicates + walletsDuplicated) "
                        + "lost=\(report.lost + walletsLost) pending=\(report.pending) "
                        + "elapsed=\(Drill.milliseconds(ContinuousClock.now - started))ms")
            }
        }

        /// Every user claims at once; the event service is killed when a third of the answers are in.
        static func storm(
            cluster: PlatformCluster, client: StormClient, event: String, tokens: [String]
        ) async throws -> [Outcome] {
            let answered = AnswerCount()
            return try await withThrowingTaskGroup(of: [Outcome].self) { group in
                group.addTask {
                    let replies = try await Drill.concurrently(Array(tokens.indices), limit: tokens.count) { index in
                        let reply = await client.call(.POST, "/events/\(event)/claims", token: tokens[index])
                        answered.value.add(1, ordering: .relaxed)
                        return reply
                    }
                    return replies.map { Outcome(first: $0) }
                }
                group.addTask {
                    let third = tokens.count / 3
                    _ = try await Drill.eventually(timeout: .seconds(60), interval: .milliseconds(5)) {
                        answered.value.load(ordering: .relaxed) >= third
                    }
                    try await cluster.crash(.event)
                    return []
                }
                var outcomes: [Outcome] = []
                for try await result in group { outcomes += result }
                return outcomes
            }
        }

        /// First answers are 201/410 or upstream failures; retries are verdicts; no 500 anywhere.
        static func assertAnswers(_ outcomes: [Outcome]) {
            let firsts = outcomes.map(\.first)
            let interrupted = firsts.filter { $0.status.map { $0 >= 500 } ?? true }
            #expect(!interrupted.isEmpty, "the kill interrupted no request")
            for reply in firsts {
                #expect([201, 410, 502, 503, 504].contains(reply.status ?? 0), "first answer \(reply)")
                if reply.status == 201 { #expect(["GRANTED", "PENDING"].contains(reply.claimStatus ?? "")) }
                if reply.status == 410 { #expect(reply.errorCode == "OUT_OF_STOCK") }
                if let status = reply.status, status >= 500 {
                    #expect(
                        ["UPSTREAM_UNAVAILABLE", "SERVICE_UNAVAILABLE", "UPSTREAM_TIMEOUT"].contains(
                            reply.errorCode ?? ""))
                }
            }
            for reply in outcomes.compactMap(\.retry) {
                switch reply.status {
                case 201: #expect(reply.claimStatus == "GRANTED" || reply.claimStatus == "PENDING")
                case 409: #expect(reply.errorCode == "ALREADY_CLAIMED")
                case 410: #expect(reply.errorCode == "OUT_OF_STOCK")
                default: Issue.record("a retried claim answered \(reply)")
                }
            }
        }

        /// Each user's claims and wallet: one GRANTED claim at most, its grant (and nothing
        /// more) in the wallet, a GRANTED claim for every client that got 201, and an
        /// OUT_OF_STOCK refusal for every user without a grant (no claim left unresolved).
        /// - Returns: GRANTED claims seen, 201s without their grant, wallets holding too much.
        static func verifyWallets(
            cluster: PlatformCluster, event: String, users: [DrillUser], tokens: [String], outcomes: [Outcome]
        ) async throws -> (granted: Int, lost: Int, duplicated: Int) {
            let gateway = cluster.gateway
            let views = try await Drill.concurrently(Array(users.indices), limit: 16) { index in
                let claims = try await gateway.call(.GET, "/claims/me?eventId=\(event)", token: tokens[index])
                let wallet = try await gateway.call(.GET, "/wallet/me", token: tokens[index])
                #expect(claims.status == 200 && wallet.status == 200)
                let grantedIDs = claims.items.filter { $0["status"] as? String == "GRANTED" }.compactMap {
                    $0["id"] as? String
                }
                let points = wallet.object["points"] as? Int ?? -1
                let couponClaims = (wallet.object["coupons"] as? [[String: Any]] ?? []).compactMap {
                    $0["claimId"] as? String
                }
                let outOfStock = claims.items.contains {
                    $0["status"] as? String == "REJECTED" && $0["reason"] as? String == "OUT_OF_STOCK"
                }
                #expect(
                    !grantedIDs.isEmpty || outOfStock, "user \(index) has neither a grant nor an OUT_OF_STOCK claim")
                return (grantedIDs, points, couponClaims)
            }
            var granted = 0
            var lost = 0
            var duplicated = 0
            for (index, (grantedIDs, points, couponClaims)) in views.enumerated() {
                granted += grantedIDs.count
                if grantedIDs.count > 1 || points > Self.points * grantedIDs.count
                    || couponClaims.count > grantedIDs.count
                {
                    duplicated += 1
                    Issue.record(
                        "user \(users[index].email): claims \(grantedIDs), \(points) points, coupons \(couponClaims)")
                }
                if outcomes[index].got201 && grantedIDs.isEmpty { lost += 1 }
                if grantedIDs.count == 1 && (points != Self.points || couponClaims != grantedIDs) {
                    lost += 1
                    Issue.record(
                        "user \(users[index].email): GRANTED \(grantedIDs) but wallet \(points), \(couponClaims)")
                }
            }
            #expect(lost == 0, "clients that got 201 without their grant")
            return (granted, lost, duplicated)
        }
    }
}

/// Answers received so far, shared between the storm and the task that kills mid-storm.
private final class AnswerCount: Sendable {
    let value = Atomic<Int>(0)
}
