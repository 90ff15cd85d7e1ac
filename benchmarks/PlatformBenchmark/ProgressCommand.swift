import ArgumentParser
import Foundation
import Logging
import MongoKit
import NIOCore
import NIOHTTP1
import PlatformCore

/// `progress`: `GET /events/{id}/progress` latency for one user with 10, 1,000 and 100,000
/// activities, inserted in bulk straight into `activities` in the stored shape. The event
/// has one condition of each type (a 7-day login streak, 3 invitees, 10 plays); the
/// activities are a third of each type, spread over the last 28 days of its window.
struct ProgressCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "progress", abstract: "Progress latency as the user's activities grow.")

    @OptionGroup var endpoint: EventEndpoint

    @Option(help: "Activity counts, comma-separated.")
    var sizes: String = "10,1000,100000"

    @Option(help: "Timed requests per size below 10,000 activities.")
    var requests: Int = 30

    @Option(help: "Timed requests per size from 10,000 activities on.")
    var largeRequests: Int = 5

    /// The figures of one size.
    struct SizeResult: Encodable {
        var activities: Int
        var latency: LatencySummary
        /// Median latency per 1,000 activities.
        var millisecondsPerThousand: Double
        var statuses: [String: Int]
        var conditions: [String: Double]
        /// The double's CPU time per request (nil without `--double-pid`): the rest is ours.
        var doubleMillisecondsPerRequest: Double?
        /// The event service's CPU time per request (nil without `--service-pid`).
        var serviceMillisecondsPerRequest: Double?
    }

    struct Result: Encodable {
        var sizes: [SizeResult]
    }

    func run() async throws {
        let result = try await withBenchmarkClients(
            mongoURI: endpoint.mongoURI, socketTimeout: .seconds(600), connections: 4, timeout: .seconds(600)
        ) { pool, http in
            try await measure(pool: pool, http: http)
        }
        try printResult(result)
    }

    private func measure(pool: MongoClientPool, http: BenchHTTP) async throws -> Result {
        let fixtures = try await Fixtures.load(endpoint, pool: pool, http: http)
        let (database, minter) = (fixtures.database, fixtures.minter)
        try await fixtures.clear()
        let eventID = try await fixtures.activeEvent(
            title: "Progress benchmark", daysBack: 30,
            conditions: [
                ["type": "CONTINUOUS_LOGIN", "days": 7], ["type": "FRIEND_INVITE", "count": 3],
                ["type": "CUSTOM", "activityType": "PLAY", "aggregate": "count", "gte": 10],
            ],
            rewards: [["type": "POINT", "name": "100 points", "amount": 100]])
        let user = ObjectID()
        let token = try await minter.token(subject: user.hex, roles: [.user])
        let url = "\(endpoint.eventURL)/events/\(eventID)/progress"
        let activities = database.collection("activities")
        var results: [SizeResult] = []
        for size in sizes.split(separator: ",").compactMap({ Int($0.trimmingCharacters(in: .whitespaces)) }) {
            _ = try await activities.deleteMany(filter: [:])
            try await insertActivities(size, user: user, into: activities)
            let count = size >= 10_000 ? largeRequests : requests
            note("progress: \(size) activities, \(count) requests")
            let first = await http.send(.GET, url, token: token)
            guard first.status == 200 else { throw BenchmarkError("progress answered \(first.status)") }
            var replies: [Reply] = []
            let busyBefore = processCPUMilliseconds(endpoint.doublePid)
            let serviceBefore = processCPUMilliseconds(endpoint.servicePid)
            for _ in 0..<count { replies.append(await http.send(.GET, url, token: token)) }
            let busyAfter = processCPUMilliseconds(endpoint.doublePid)
            let serviceAfter = processCPUMilliseconds(endpoint.servicePid)
            let latency = LatencySummary(replies.map(\.latency))
            var conditions: [String: Double] = [:]
            for condition in first.object["conditions"] as? [[String: Any]] ?? [] {
                if let type = condition["type"] as? String, let current = condition["current"] as? Double {
                    conditions[type] = current
                }
            }
            let expectedPlays = Double((0..<size).filter { $0 % 3 == 2 }.count)
            guard conditions["CUSTOM"] == expectedPlays else {
                throw BenchmarkError("progress counted \(conditions["CUSTOM"] ?? -1) plays, expected \(expectedPlays)")
            }
            results.append(
                SizeResult(
                    activities: size, latency: latency, millisecondsPerThousand: latency.p50 * 1000 / Double(size),
                    statuses: statusCounts(replies.map(\.status)), conditions: conditions,
                    doubleMillisecondsPerRequest: busyBefore.flatMap { before in
                        busyAfter.map { ($0 - before) / Double(count) }
                    },
                    serviceMillisecondsPerRequest: serviceBefore.flatMap { before in
                        serviceAfter.map { ($0 - before) / Double(count) }
                    }))
        }
        // Leave the double small for whatever runs next (it scans, and its garbage
        // collector walks every stored document).
        try await fixtures.clear()
        return Result(sizes: results)
    }

    /// `count` activities of `user` in the stored shape (`ActivityDocument`), in batches.
    private func insertActivities(
        _ count: Int, user: ObjectID, into collection: MongoCollection<BSONDocument>
    )
        async throws
    {
        let now = Date()
        let recordedBy: BSONDocument = ["subject": "benchmark-game-server", "role": "SERVICE"]
        var batch: [BSONDocument] = []
        for index in 0..<count {
            let occurredAt = now.addingTimeInterval(-Double(index % 28) * 86_400 - Double(index / 28 % 3600) - 60)
            let (type, attributes): (String, BSONDocument) =
                switch index % 3 {
                case 0: ("LOGIN", [:])
                case 1: ("FRIEND_INVITE", ["inviteeId": .string("invitee-\(index)")])
                default: ("PLAY", ["score": .int64(Int64(index % 100))])
                }
            batch.append([
                "_id": .objectID(ObjectID()), "userId": .objectID(user), "type": .string(type),
                "occurredAt": .datetime(occurredAt), "attributes": .document(attributes),
                "recordedBy": .document(recordedBy), "recordedAt": .datetime(now),
            ])
            if batch.count == 10_000 {
                _ = try await collection.insertMany(batch)
                batch.removeAll(keepingCapacity: true)
            }
        }
        if !batch.isEmpty { _ = try await collection.insertMany(batch) }
    }
}
