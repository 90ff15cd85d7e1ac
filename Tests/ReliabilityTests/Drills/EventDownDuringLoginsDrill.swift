import Foundation
import MongoKit
import NIOHTTP1
import TestSupport
import Testing

@testable import AuthService
@testable import EventService

extension FaultDrills {
    /// Drill 2 (issue 8): 50 logins (25 users, twice each) while the event service is stopped;
    /// it comes back, and auth's outbox relay delivers every login exactly once.
    ///
    /// Asserted:
    /// - every login answers 200 while the event service is down (auth does not depend on it);
    /// - the 50 LOGIN records wait in auth's outbox, and the relay tried (and failed) to deliver
    ///   each of them while the service was down;
    /// - after the restart, within the relay's backoff (at most its 60 s maximum; auth's relay
    ///   pacing is not configurable from the environment), every record is DELIVERED;
    /// - the event database holds exactly 50 LOGIN activities of these users (none lost, none
    ///   twice), and for each user a 1-day streak is met, the CUSTOM count of LOGIN is exactly 2,
    ///   and the claim answers 201 GRANTED;
    /// - the invariant checker holds.
    @Suite(.serialized) struct EventDownDuringLoginsDrill {
        static let users = 25
        static let loginsPerUser = 2

        @Test(.timeLimit(.minutes(4))) func loginsWhileTheEventServiceIsDownAreEachCountedOnce() async throws {
            let started = ContinuousClock.now
            try await Drill.withCluster(overrides: [:]) { cluster in
                let admin = try await cluster.adminToken()
                let (event, _) = try await cluster.activeEvent(
                    token: admin, title: "Welcome back",
                    conditions: [
                        ["type": "CONTINUOUS_LOGIN", "days": 1],
                        ["type": "CUSTOM", "activityType": "LOGIN", "aggregate": "count", "gte": Self.loginsPerUser],
                    ],
                    rewards: [["type": "POINT", "name": "Back points", "amount": 10]])
                let users = try await cluster.registerUsers("returning", count: Self.users)
                let checker = InvariantChecker(cluster: cluster)
                #expect(try await checker.waitUntilSettled(timeout: .seconds(30)))
                let pendingLogins: BSONDocument = [
                    "type": .string(OutboxRecord.Kind.login.rawValue),
                    "status": .string(OutboxRecord.Status.pending.rawValue),
                ]

                try await cluster.stop(.event)
                let downSince = ContinuousClock.now
                let logins = Array(repeating: users, count: Self.loginsPerUser).flatMap { $0 }
                let tokens = try await Drill.concurrently(logins, limit: 8) { user in
                    try await cluster.login(user.email, user.password)
                }
                #expect(
                    try await checker.countAuthDocuments(AuthIndexes.Collection.outbox, pendingLogins) == logins.count)
                // Each delivery attempt to the stopped service fails after the relay's 10 s request
                // timeout (its HTTP client retries the refused connection until then).
                var failedOnce: BSONDocument = pendingLogins
                failedOnce.append("lastError", ["$exists": true])
                let relayFailed = try await Drill.eventually(timeout: .seconds(45)) {
                    try await checker.countAuthDocuments(AuthIndexes.Collection.outbox, failedOnce) == logins.count
                }
                #expect(
                    relayFailed, "the relay did not try (and fail) to deliver every login while the service was down")

                try await cluster.start(.event)
                let downFor = ContinuousClock.now - downSince
                let backUp = ContinuousClock.now
                let delivered = try await checker.waitUntilSettled(timeout: .seconds(75))
                let deliveredAfter = ContinuousClock.now - backUp
                #expect(delivered, "logins still undelivered 75 s after the event service came back")

                let userIDs = BSON.array(try users.map { .objectID(try ObjectID($0.id)) })
                let counted = try await checker.countEventDocuments(
                    EventIndexes.Collection.activities, ["type": "LOGIN", "userId": ["$in": userIDs]])
                #expect(counted == logins.count)
                let claimed = try await Self.verifyEachUser(
                    cluster: cluster, event: event, tokens: Array(tokens.prefix(Self.users)))
                let report = try await checker.check()
                #expect(claimed == Self.users)
                #expect(report.granted == Self.users)

                print(
                    "drill event-down-during-logins: users=\(Self.users) logins=\(logins.count) "
                        + "requests=\(logins.count + 2 * Self.users) downFor=\(Drill.milliseconds(downFor))ms "
                        + "deliveredAfter=\(Drill.milliseconds(deliveredAfter))ms counted=\(counted) "
                        + "claims201=\(claimed) duplicates=\(report.duplicates + max(counted - logins.count, 0)) "
                        + "lost=\(report.lost + max(logins.count - counted, 0)) pending=\(report.pending) "
                        + "elapsed=\(Drill.milliseconds(ContinuousClock.now - started))ms")
            }
        }

        /// Each user's progress (streak met, CUSTOM count exactly `loginsPerUser`) and claim.
        /// - Returns: How many claims answered 201 GRANTED.
        static func verifyEachUser(cluster: PlatformCluster, event: String, tokens: [String]) async throws -> Int {
            let granted = try await Drill.concurrently(tokens, limit: 8) { token in
                let progress = try await cluster.gateway.call(.GET, "/events/\(event)/progress", token: token)
                #expect(progress.status == 200)
                let conditions = progress.object["conditions"] as? [[String: Any]] ?? []
                let streak = conditions.first { $0["type"] as? String == "CONTINUOUS_LOGIN" }
                let custom = conditions.first { $0["type"] as? String == "CUSTOM" }
                #expect(streak?["met"] as? Bool == true, "streak \(String(describing: streak))")
                #expect(
                    custom?["current"] as? Double == Double(Self.loginsPerUser), "count \(String(describing: custom))")
                let claim = try await cluster.gateway.call(.POST, "/events/\(event)/claims", token: token)
                #expect(claim.status == 201, "claim answered \(claim.status): \(claim.text)")
                return claim.status == 201 && claim.object["status"] as? String == "GRANTED"
            }
            return granted.filter { $0 }.count
        }
    }
}
