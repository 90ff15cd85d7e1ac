import Foundation
import MongoKit
import NIOHTTP1
import PlatformCore

/// Seeds the event service through its API (events, rewards, activities) and clears its
/// database between runs, so every run starts from the same small data set (the double
/// scans whole collections: data left over from an earlier run would slow the next).
struct Fixtures: Sendable {
    let http: BenchHTTP
    let eventURL: String
    let minter: TokenMinter
    let database: MongoDatabase

    /// The collections of the event database that a run fills.
    static let collections = ["events", "rewardStock", "claims", "ledger", "activities", "auditLogs", "workerLeases"]

    /// The fixtures of the event service `endpoint` names: its database in `pool`, and a
    /// minter of tokens signed with its key.
    static func load(_ endpoint: EventEndpoint, pool: MongoClientPool, http: BenchHTTP) async throws -> Fixtures {
        Fixtures(
            http: http, eventURL: endpoint.eventURL,
            minter: try await TokenMinter.load(pemFile: endpoint.keyFile, keyID: endpoint.keyID),
            database: pool.database(endpoint.eventDatabase))
    }

    /// Empties every collection the runs fill (indexes stay).
    func clear() async throws {
        for name in Self.collections {
            _ = try await database.collection(name).deleteMany(filter: [:])
        }
    }

    /// Creates an ACTIVE event with `conditions` and `rewards` whose window opened
    /// `daysBack` days ago and closes in a day; returns its id.
    func activeEvent(
        title: String, daysBack: Double, conditions: [[String: Any]], rewards: [[String: Any]]
    ) async throws
        -> String
    {
        let staff = try await minter.token(subject: ObjectID().hex, roles: [.operator])
        let now = Date()
        let created = await http.send(
            .POST, "\(eventURL)/events", token: staff,
            json: BenchHTTP.json([
                "title": title, "description": "benchmark",
                "startAt": now.addingTimeInterval(-daysBack * 86_400).formatted(.iso8601),
                "endAt": now.addingTimeInterval(86_400).formatted(.iso8601),
                "timezone": "UTC", "conditions": conditions,
            ]))
        guard created.status == 201, let id = created.object["id"] as? String else {
            throw BenchmarkError(
                "creating the event answered \(created.status): \(String(decoding: created.body, as: UTF8.self))")
        }
        for reward in rewards {
            let added = await http.send(
                .POST, "\(eventURL)/events/\(id)/rewards", token: staff, json: BenchHTTP.json(reward))
            guard added.status == 201 else { throw BenchmarkError("adding a reward answered \(added.status)") }
        }
        let activated = await http.send(
            .POST, "\(eventURL)/events/\(id)/status", token: staff, json: BenchHTTP.json(["status": "ACTIVE"]))
        guard activated.status == 200 else { throw BenchmarkError("activating the event answered \(activated.status)") }
        return id
    }

    /// Records activities through `POST /activities` as a game server (SERVICE), in
    /// batches of 1,000.
    func record(_ activities: [[String: Any]]) async throws {
        let service = try await minter.token(subject: "benchmark-game-server", roles: [.service])
        var start = 0
        while start < activities.count {
            let batch = Array(activities[start..<min(start + 1000, activities.count)])
            let reply = await http.send(
                .POST, "\(eventURL)/activities", token: service, json: BenchHTTP.json(["activities": batch]))
            guard reply.status == 201 else {
                throw BenchmarkError(
                    "recording activities answered \(reply.status): \(String(decoding: reply.body, as: UTF8.self))")
            }
            start += batch.count
        }
    }
}

/// The double's command log for database `name`: `(command, collection, time)` of each
/// command it executed, oldest first; empty against a real MongoDB (no such command).
func doubleCommandLog(
    pool: MongoClientPool, database name: String
) async -> [(command: String, collection: String, time: Date)] {
    guard let reply = try? await pool.database("admin").runCommand(["doubleCommandLog": 1, "db": .string(name)]) else {
        return []
    }
    return (reply["entries"]?.arrayValue ?? []).compactMap { entry in
        guard let document = entry.documentValue, let command = document["command"]?.stringValue,
            case .datetime(let time)? = document["time"]
        else { return nil }
        return (command, document["collection"]?.stringValue ?? "", time)
    }
}
