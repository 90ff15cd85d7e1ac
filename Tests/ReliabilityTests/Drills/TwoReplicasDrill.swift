import Foundation
import MongoKit
import NIOHTTP1
import TestSupport
import Testing

@testable import EventService

extension FaultDrills {
    /// Drill 5 (issue 8): two event-service processes on one database, both running the claim
    /// retry worker and the auto-complete worker, racing for the same work: 30 claims left
    /// PENDING as crashes leave them (a third with nothing paid, a third with the stock unit
    /// taken, a third with the first ledger entry written) and 5 ACTIVE events whose `endAt`
    /// passes while both run.
    ///
    /// Asserted — each item done exactly once:
    /// - every stuck claim is GRANTED with `attempts == 2` (taken by exactly one worker once),
    ///   and the two processes together log "pending claim finished" exactly 30 times;
    /// - each claim has exactly one ledger entry per reward, and exactly one stock unit
    ///   (30 taken in all);
    /// - each expired event is COMPLETED with exactly one audit entry by
    ///   `system:auto-complete`, and the processes log "event auto-completed" exactly 5 times;
    /// - both processes stop cleanly, and the invariant checker holds.
    @Suite(.serialized) struct TwoReplicasDrill {
        static let stuckClaims = 30
        static let expiringEvents = 5
        static let environment = [
            "CLAIM_RETRY_INTERVAL_MS": "100", "CLAIM_RETRY_BACKOFF_MS": "300", "EVENT_AUTO_COMPLETE_INTERVAL_MS": "200",
            "WORKER_LEASE_MS": "3000",
        ]

        @Test(.timeLimit(.minutes(3))) func twoReplicasDoEachPendingClaimAndExpiredEventOnce() async throws {
            let started = ContinuousClock.now
            try await Drill.withCluster(overrides: Self.environment) { cluster in
                var environment = cluster.environment
                environment["EVENT_PORT"] = "\(try unusedLoopbackPort())"
                let replica = try PlatformProcess(["event"], environment: environment)
                do {
                    try await Self.drill(cluster: cluster, replica: replica, started: started)
                } catch {
                    _ = try? await replica.stop()
                    throw error
                }
                #expect(try await replica.stop() == 0)
            }
        }

        static func drill(
            cluster: PlatformCluster, replica: PlatformProcess, started: ContinuousClock.Instant
        )
            async throws
        {
            let port = try #require(try await replica.ports(of: ["event"])["event"])
            #expect(try await PlatformClient(baseURL: "http://127.0.0.1:\(port)").waitFor("/health/ready"))
            let admin = try await cluster.adminToken()
            let (event, _) = try await cluster.activeEvent(
                token: admin, title: "Two replicas", conditions: [["type": "FRIEND_INVITE", "count": 1]],
                rewards: [
                    ["type": "POINT", "name": "Replica points", "amount": 3, "stock": 100],
                    ["type": "COUPON", "name": "Replica coupon", "couponTemplate": "TWIN"],
                ])
            var expiring: [String] = []
            let endAt = Date().addingTimeInterval(6)
            for index in 0..<Self.expiringEvents {
                expiring.append(
                    try await cluster.activeEvent(
                        token: admin, title: "Expiring \(index)", conditions: [["type": "FRIEND_INVITE", "count": 1]],
                        rewards: [["type": "POINT", "name": "Late points", "amount": 1]], endAt: endAt
                    ).event)
            }
            let checker = InvariantChecker(cluster: cluster)
            let claimIDs = try await checker.withDatabases { database, _ in
                try await StuckClaims.insert(count: Self.stuckClaims, eventID: try ObjectID(event), into: database)
            }

            #expect(try await checker.waitUntilSettled(timeout: .seconds(30)), "stuck claims not finished")
            let expiringIDs = BSON.array(try expiring.map { .objectID(try ObjectID($0)) })
            let completed = try await Drill.eventually(timeout: .seconds(30)) {
                try await checker.countEventDocuments(
                    EventIndexes.Collection.events, ["_id": ["$in": expiringIDs], "status": "COMPLETED"])
                    == Self.expiringEvents
            }
            #expect(completed, "expired events not completed")
            // Ten worker rounds of each replica, in which a second take of any item would show.
            try await Task.sleep(for: .seconds(1))

            let claims = try await checker.withDatabases { database, _ in
                try await database.collection(EventIndexes.Collection.claims, withType: ClaimDocument.self)
                    .find(["_id": ["$in": .array(claimIDs.map(BSON.objectID))]]).toArray()
            }
            #expect(claims.count == Self.stuckClaims)
            #expect(
                claims.allSatisfy { $0.status == .granted && $0.attempts == 2 },
                "\(claims.map { ($0.status, $0.attempts) })")
            var auditsPerEvent: [Int] = []
            for id in expiring {
                auditsPerEvent.append(
                    try await checker.countEventDocuments(
                        EventIndexes.Collection.auditLogs,
                        ["action": "event.status", "actor.id": "system:auto-complete", "target.id": .string(id)]))
            }
            #expect(auditsPerEvent == Array(repeating: 1, count: Self.expiringEvents))

            let processes = [cluster.process(.event), replica]
            let finished = processes.map { Self.logged("pending claim finished", by: $0) }
            let autoCompleted = processes.map { Self.logged("event auto-completed", by: $0) }
            #expect(finished.reduce(0, +) == Self.stuckClaims)
            #expect(autoCompleted.reduce(0, +) == Self.expiringEvents)
            let report = try await checker.check()
            #expect(report.granted == Self.stuckClaims)
            #expect(report.ledgerEntries == 2 * Self.stuckClaims)
            #expect(report.stockTaken == Self.stuckClaims)

            print(
                "drill two-replicas: replicas=2 stuckClaims=\(Self.stuckClaims) "
                    + "finished=\(finished.map(String.init).joined(separator: "+")) "
                    + "attempts2=\(claims.filter { $0.attempts == 2 }.count) expiredEvents=\(Self.expiringEvents) "
                    + "autoCompleted=\(autoCompleted.map(String.init).joined(separator: "+")) "
                    + "auditEntries=\(auditsPerEvent.reduce(0, +)) grants=\(report.granted) ledger=\(report.ledgerEntries) "
                    + "stockTaken=\(report.stockTaken) duplicates=\(report.duplicates) lost=\(report.lost) "
                    + "pending=\(report.pending) elapsed=\(Drill.milliseconds(ContinuousClock.now - started))ms")
        }

        /// How many log lines of `process` carry the message `message`.
        static func logged(_ message: String, by process: PlatformProcess?) -> Int {
            process?.lines.filter { $0.contains("\"msg\":\"\(message)\"") }.count ?? 0
        }
    }
}
