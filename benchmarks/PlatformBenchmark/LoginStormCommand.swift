import ArgumentParser
import Foundation
import NIOCore
import NIOHTTP1
import Synchronization

/// `logins`: a login storm against the auth service (straight to its port). `--users`
/// accounts log in at once, with the bcrypt cost auth runs with, while a prober measures
/// `GET /health` and `POST /auth/refresh` (which needs no bcrypt); the same probes with
/// no storm give the idle figures, the two alternating for `--rounds`. Last, an overflow:
/// `--overflow` logins at once from the same client, more than the per-address limit
/// admits: the excess must be answered 429 at once, and every request must be answered.
struct LoginStormCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "logins", abstract: "Health and refresh latency during a login storm; overflow answers.")

    @Option(help: "The auth service's base URL.")
    var authURL: String

    @Option(help: "Concurrent logins of a storm (one per account).")
    var users: Int = 32

    @Option(help: "Idle/storm pairs.")
    var rounds: Int = 2

    @Option(help: "Seconds of idle probing per round.")
    var idleSeconds: Double = 3

    @Option(help: "Concurrent logins of the overflow burst (0 skips it).")
    var overflow: Int = 96

    struct Phase: Encodable {
        var health: LatencySummary
        var refresh: LatencySummary
        var probeStatuses: [String: Int]
    }

    struct Burst: Encodable {
        var logins: Int
        var statuses: [String: Int]
        var latencyByStatus: [String: LatencySummary]
        var wallSeconds: Double
        var probes: Phase
    }

    struct Result: Encodable {
        var users: Int
        var idle: Phase
        var storm: Phase
        var stormLogins: LatencySummary
        var stormStatuses: [String: Int]
        var overflow: Burst?
    }

    func run() async throws {
        let http = BenchHTTP(connections: max(users, overflow) + 4, timeout: .seconds(120))
        do {
            try printResult(try await measure(http))
        } catch {
            await http.shutdown()
            throw error
        }
        await http.shutdown()
    }

    private func measure(_ http: BenchHTTP) async throws -> Result {
        let tag = UUID().uuidString.prefix(8).lowercased()
        let emails = (0..<users).map { "storm-\(tag)-\($0)@bench.example" }
        let password = "bench-password-12"
        note("logins: registering \(users + 1) accounts")
        // All at once, as a client would: auth refuses (503, Retry-After) what its bcrypt
        // thread cannot start within 5 s, and a refused registration is sent again.
        let registered = await runConcurrently(count: users + 1, concurrency: users + 1) { index in
            let email = index < emails.count ? emails[index] : "prober-\(tag)@bench.example"
            var status = 0
            for _ in 0..<60 {
                status = await http.send(
                    .POST, "\(authURL)/auth/register",
                    json: BenchHTTP.json(["email": email, "password": password, "nickname": "bench"])
                ).status
                guard status == 503 else { break }
                try? await Task.sleep(for: .seconds(1))
            }
            return status
        }
        guard registered.allSatisfy({ $0 == 201 }) else {
            throw BenchmarkError("register answered \(statusCounts(registered))")
        }
        let prober = Prober(http: http, authURL: authURL)
        try await prober.start(email: "prober-\(tag)@bench.example", password: password)

        var idle = Samples()
        var storm = Samples()
        var logins: [Reply] = []
        for round in 1...max(rounds, 1) {
            note("logins: round \(round): idle \(idleSeconds)s, then \(users) logins at once")
            idle.add(await prober.probe(for: .milliseconds(Int(idleSeconds * 1000))))
            let (replies, probes) = await prober.during {
                await runConcurrently(count: users, concurrency: users) { index in
                    await http.send(
                        .POST, "\(authURL)/auth/login",
                        json: BenchHTTP.json(["email": emails[index], "password": password]))
                }
            }
            logins += replies
            storm.add(probes)
        }
        var burst: Burst?
        if overflow > 0 {
            note("logins: overflow: \(overflow) logins at once")
            let clock = ContinuousClock()
            let start = clock.now
            let (replies, probes) = await prober.during {
                await runConcurrently(count: overflow, concurrency: overflow) { index in
                    await http.send(
                        .POST, "\(authURL)/auth/login",
                        json: BenchHTTP.json(["email": emails[index % emails.count], "password": password]))
                }
            }
            var byStatus: [String: [Duration]] = [:]
            for reply in replies { byStatus[String(reply.status), default: []].append(reply.latency) }
            burst = Burst(
                logins: overflow, statuses: statusCounts(replies.map(\.status)),
                latencyByStatus: byStatus.mapValues(LatencySummary.init), wallSeconds: (clock.now - start).seconds,
                probes: probes.phase)
        }
        return Result(
            users: users, idle: idle.phase, storm: storm.phase, stormLogins: LatencySummary(logins.map(\.latency)),
            stormStatuses: statusCounts(logins.map(\.status)), overflow: burst)
    }
}

/// Probe latencies collected over one or more phases.
struct Samples: Sendable {
    var health: [Duration] = []
    var refresh: [Duration] = []
    var statuses: [Int] = []

    mutating func add(_ other: Samples) {
        health += other.health
        refresh += other.refresh
        statuses += other.statuses
    }

    var phase: LoginStormCommand.Phase {
        .init(health: LatencySummary(health), refresh: LatencySummary(refresh), probeStatuses: statusCounts(statuses))
    }
}

/// One client that alternates `GET /health` and `POST /auth/refresh` (rotating its
/// refresh token each time), one request at a time, 50 ms apart.
final class Prober: Sendable {
    let http: BenchHTTP
    let authURL: String
    private let refreshToken = Mutex("")
    private let stopped = Mutex(false)
    /// The pause between two probe pairs.
    let pause = Duration.milliseconds(50)

    init(http: BenchHTTP, authURL: String) {
        self.http = http
        self.authURL = authURL
    }

    /// Logs the prober's account in (its refresh token starts the chain).
    func start(email: String, password: String) async throws {
        let reply = await http.send(
            .POST, "\(authURL)/auth/login", json: BenchHTTP.json(["email": email, "password": password]))
        guard reply.status == 200, let token = reply.object["refreshToken"] as? String else {
            throw BenchmarkError("the prober's login answered \(reply.status)")
        }
        refreshToken.withLock { $0 = token }
    }

    /// Probes until `duration` has passed.
    func probe(for duration: Duration) async -> Samples {
        let end = ContinuousClock.now + duration
        return await probe { ContinuousClock.now >= end }
    }

    /// Runs `work` while probing; returns its result and the probes taken meanwhile.
    func during<Result: Sendable>(_ work: @escaping @Sendable () async -> Result) async -> (Result, Samples) {
        stopped.withLock { $0 = false }
        async let samples = probe { self.stopped.withLock { $0 } }
        let result = await work()
        stopped.withLock { $0 = true }
        return (result, await samples)
    }

    private func probe(until done: @Sendable () -> Bool) async -> Samples {
        var samples = Samples()
        while !done() {
            let health = await http.send(.GET, "\(authURL)/health")
            samples.health.append(health.latency)
            samples.statuses.append(health.status)
            let token = refreshToken.withLock { $0 }
            let refreshed = await http.send(
                .POST, "\(authURL)/auth/refresh", json: BenchHTTP.json(["refreshToken": token]))
            samples.refresh.append(refreshed.latency)
            samples.statuses.append(refreshed.status)
            if let next = refreshed.object["refreshToken"] as? String { refreshToken.withLock { $0 = next } }
            // Paced, like a client, not a tight loop: every refresh leaves a rotated token
            // behind, and the double scans the whole collection on each lookup.
            try? await Task.sleep(for: pause)
        }
        return samples
    }
}
