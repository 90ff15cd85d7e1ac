import ArgumentParser
import Foundation
import Logging
import MongoKit
import NIOCore
import NIOHTTP1
import PlatformCore

/// `claims`: an event whose one condition every user meets and one stocked reward, then
/// `--users` users claiming it, `--concurrency` at a time (a storm when they are equal),
/// after `--warmup` claims that are not timed. Then each timed user of a sample claims
/// again (must be 409 `ALREADY_CLAIMED`) and the database is read: exactly once.
struct ClaimsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claims", abstract: "Claims/s and latency, then an exactly-once check.")

    @OptionGroup var endpoint: EventEndpoint

    @Option(help: "Users whose claims are timed.")
    var users: Int = 1000

    @Option(help: "Claims in flight at once.")
    var concurrency: Int = 32

    @Option(help: "Untimed claims first (connections, caches).")
    var warmup: Int = 16

    @Option(help: "A name for this run in the result.")
    var label: String = "claims"

    /// The figures of one run.
    struct Result: Encodable {
        var label: String
        var users: Int
        var concurrency: Int
        var wallSeconds: Double
        var claimsPerSecond: Double
        var latency: LatencySummary
        var statuses: [String: Int]
        var repeatStatuses: [String: Int]
        var exactlyOnce: ExactlyOnceReport
        /// Commands the double ran per timed claim, by `command collection`.
        var commandsPerClaim: [String: Double]
        /// CPU seconds the double spent during the timed claims (nil without `--double-pid`).
        var doubleBusySeconds: Double?
        /// CPU seconds the event service spent during the timed claims (nil without `--service-pid`).
        var serviceBusySeconds: Double?
        var eventDatabase: String
        var eventId: String
        var firstTimedUser: Int
    }

    func run() async throws {
        let result = try await withBenchmarkClients(
            mongoURI: endpoint.mongoURI, socketTimeout: .seconds(300), connections: max(concurrency, 8)
        ) { pool, http in
            try await measure(pool: pool, http: http)
        }
        try printResult(result)
    }

    private func measure(pool: MongoClientPool, http: BenchHTTP) async throws -> Result {
        let fixtures = try await Fixtures.load(endpoint, pool: pool, http: http)
        let (database, minter) = (fixtures.database, fixtures.minter)
        let total = warmup + users
        try await fixtures.clear()
        let eventID = try await fixtures.activeEvent(
            title: "Claims benchmark", daysBack: 1,
            conditions: [["type": "CUSTOM", "activityType": "PLAY", "aggregate": "count", "gte": 1]],
            rewards: [["type": "POINT", "name": "100 points", "amount": 100, "stock": total]])
        let userIDs = (0..<total).map { _ in ObjectID().hex }
        let playedAt = Date().addingTimeInterval(-3600).formatted(.iso8601)
        try await fixtures.record(userIDs.map { ["userId": $0, "type": "PLAY", "occurredAt": playedAt] })
        var tokens: [String] = []
        for id in userIDs { tokens.append(try await minter.token(subject: id, roles: [.user])) }
        let url = "\(endpoint.eventURL)/events/\(eventID)/claims"

        let warm = await runConcurrently(count: warmup, concurrency: min(concurrency, max(warmup, 1))) {
            [tokens] index in
            await http.send(.POST, url, token: tokens[index]).status
        }
        guard warm.allSatisfy({ $0 == 201 }) else {
            throw BenchmarkError("warm-up claims answered \(statusCounts(warm))")
        }

        note("\(label): \(users) claims, \(concurrency) at a time")
        let timedTokens = Array(tokens[warmup...])
        let startedAt = Date()
        let busyBefore = processCPUMilliseconds(endpoint.doublePid)
        let serviceBefore = processCPUMilliseconds(endpoint.servicePid)
        let clock = ContinuousClock()
        let start = clock.now
        let replies = await runConcurrently(count: users, concurrency: concurrency) { index in
            await http.send(.POST, url, token: timedTokens[index])
        }
        let wall = clock.now - start
        let busyAfter = processCPUMilliseconds(endpoint.doublePid)
        let serviceAfter = processCPUMilliseconds(endpoint.servicePid)
        let endedAt = Date()

        // A second claim by users who hold a grant: every one must be refused.
        let sample = Array(timedTokens.prefix(64))
        let repeats = await runConcurrently(count: sample.count, concurrency: sample.count) { index in
            await http.send(.POST, url, token: sample[index])
        }
        let repeatStatuses = statusCounts(repeats.map { $0.errorCode == "ALREADY_CLAIMED" ? $0.status : -$0.status })
        let log = await doubleCommandLog(pool: pool, database: endpoint.eventDatabase)
        let timedCommands = log.filter {
            $0.time >= startedAt.addingTimeInterval(-0.002) && $0.time <= endedAt.addingTimeInterval(0.002)
        }
        var perClaim: [String: Double] = [:]
        for entry in timedCommands { perClaim["\(entry.command) \(entry.collection)", default: 0] += 1 / Double(users) }

        let check = try await ExactlyOnceReport.check(
            database: database, expectedGrants: total, stock: total, rewardsPerClaim: 1)
        return Result(
            label: label, users: users, concurrency: concurrency, wallSeconds: wall.seconds,
            claimsPerSecond: Double(replies.filter { $0.status == 201 }.count) / wall.seconds,
            latency: LatencySummary(replies.map(\.latency)), statuses: statusCounts(replies.map(\.status)),
            repeatStatuses: repeatStatuses, exactlyOnce: check, commandsPerClaim: perClaim,
            doubleBusySeconds: busyBefore.flatMap { before in busyAfter.map { ($0 - before) / 1000 } },
            serviceBusySeconds: serviceBefore.flatMap { before in serviceAfter.map { ($0 - before) / 1000 } },
            eventDatabase: endpoint.eventDatabase, eventId: eventID, firstTimedUser: warmup)
    }
}
