import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// What the drills share: a cluster that is always stopped, bounded concurrency, polling
/// with a deadline, and the API calls that set the stage (users, events).
enum Drill {
    /// Starts a cluster, runs `body`, and stops every process it started — also when
    /// `body` throws (the error is rethrown after the stop).
    static func withCluster<Result>(
        mongoURI: String? = nil, overrides: [String: String],
        _ body: (PlatformCluster) async throws -> Result
    ) async throws -> Result {
        let cluster = try await PlatformCluster(mongoURI: mongoURI, overrides: overrides)
        do {
            let result = try await body(cluster)
            _ = try await cluster.stop()
            return result
        } catch {
            _ = try? await cluster.stop()
            throw error
        }
    }

    /// Runs `body` for every item with at most `limit` at once; results in item order.
    static func concurrently<Item: Sendable, Output: Sendable>(
        _ items: [Item], limit: Int, _ body: @escaping @Sendable (Item) async throws -> Output
    ) async throws -> [Output] {
        try await withThrowingTaskGroup(of: (Int, Output).self) { group in
            var results = [Output?](repeating: nil, count: items.count)
            var next = 0
            while next < min(limit, items.count) {
                let index = next
                group.addTask { (index, try await body(items[index])) }
                next += 1
            }
            while let (index, output) = try await group.next() {
                results[index] = output
                if next < items.count {
                    let index = next
                    group.addTask { (index, try await body(items[index])) }
                    next += 1
                }
            }
            return results.map { $0! }
        }
    }

    /// Polls `condition` every `interval` until it holds or `timeout` passes.
    /// - Returns: Whether it held in time.
    static func eventually(
        timeout: Duration, interval: Duration = .milliseconds(200), _ condition: () async throws -> Bool
    ) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while true {
            if try await condition() { return true }
            if ContinuousClock.now >= deadline { return false }
            try await Task.sleep(for: interval)
        }
    }

    /// The wall time of `body`, and its result.
    static func timed<Output>(_ body: () async throws -> Output) async rethrows -> (Output, Duration) {
        let start = ContinuousClock.now
        let output = try await body()
        return (output, ContinuousClock.now - start)
    }

    /// `d` in whole milliseconds, for summary lines.
    static func milliseconds(_ duration: Duration) -> Int {
        Int(duration.components.seconds * 1000 + duration.components.attoseconds / 1_000_000_000_000_000)
    }
}

/// A registered user of a drill.
struct DrillUser: Sendable {
    var email: String
    var id: String
    var password: String { "password-\(email)" }
}

extension PlatformCluster {
    /// Registers `count` users `<prefix>-<n>@example.com` through the gateway, `limit` at once.
    func registerUsers(_ prefix: String, count: Int, limit: Int = 16) async throws -> [DrillUser] {
        try await Drill.concurrently(Array(0..<count), limit: limit) { index in
            let email = "\(prefix)-\(index)@example.com"
            return DrillUser(email: email, id: try await self.register(email))
        }
    }

    /// Logs every user in, `limit` at once; returns their access tokens in order.
    func loginUsers(_ users: [DrillUser], limit: Int = 16) async throws -> [String] {
        try await Drill.concurrently(users, limit: limit) { user in
            try await self.login(user.email, user.password)
        }
    }

    /// Creates an event open since an hour ago until `endAt`, adds `rewards`, activates it.
    /// - Returns: The event id and its rewards' ids, in order.
    func activeEvent(
        token: String, title: String, conditions: [[String: Any]], rewards: [[String: Any]],
        endAt: Date = Date().addingTimeInterval(86_400)
    ) async throws -> (event: String, rewards: [String]) {
        let created = try await gateway.call(
            .POST, "/events", token: token,
            json: [
                "title": title, "description": "reliability drill",
                "startAt": PlatformClient.iso(Date().addingTimeInterval(-3600)), "endAt": PlatformClient.iso(endAt),
                "timezone": "UTC", "conditions": conditions,
            ])
        guard created.status == 201, let event = created.object["id"] as? String else {
            throw TestSupportError("create event answered \(created.status): \(created.text)")
        }
        var rewardIDs: [String] = []
        for reward in rewards {
            let added = try await gateway.call(.POST, "/events/\(event)/rewards", token: token, json: reward)
            guard added.status == 201, let id = added.object["id"] as? String else {
                throw TestSupportError("add reward answered \(added.status): \(added.text)")
            }
            rewardIDs.append(id)
        }
        let activated = try await gateway.call(
            .POST, "/events/\(event)/status", token: token, json: ["status": "ACTIVE"])
        guard activated.status == 200 else {
            throw TestSupportError("activate answered \(activated.status): \(activated.text)")
        }
        return (event, rewardIDs)
    }
}
