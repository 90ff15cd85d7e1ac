import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import MongoKit
import NIOCore
import PlatformCore
import Synchronization
import TestSupport

@testable import EventService

/// A clock tests can fix (e.g. inside a historic event window) or move (to expire leases).
final class TestClock: Sendable {
    private let fixed = Mutex<Date?>(nil)

    init(_ date: Date? = nil) {
        fixed.withLock { $0 = date }
    }

    var now: Date { fixed.withLock { $0 } ?? Date() }

    func set(_ date: Date?) { fixed.withLock { $0 = date } }

    func advance(_ seconds: TimeInterval) { fixed.withLock { $0 = ($0 ?? Date()).addingTimeInterval(seconds) } }

    var workerClock: WorkerClock { WorkerClock { [self] in self.now } }
}

/// Stops claims at one checkpoint, a given number of times (then lets them pass).
final class ScriptedFaults: ClaimFaultInjector {
    struct Crash: Error {}
    private let plan = Mutex<(ClaimCheckpoint?, Int)>((nil, 0))

    func crash(at checkpoint: ClaimCheckpoint, times: Int = 1) { plan.withLock { $0 = (checkpoint, times) } }

    func reached(_ checkpoint: ClaimCheckpoint) async throws {
        let crash = plan.withLock { plan -> Bool in
            guard plan.0 == checkpoint, plan.1 > 0 else { return false }
            plan.1 -= 1
            return true
        }
        if crash { throw Crash() }
    }
}

/// A JSON response: status and body.
struct JSONResponse {
    var status: Int
    var body: [String: Any]

    /// `error.code` of an envelope.
    var code: String? { (body["error"] as? [String: Any])?["code"] as? String }
    var message: String? { (body["error"] as? [String: Any])?["message"] as? String }
    var details: [String: Any] { ((body["error"] as? [String: Any])?["details"] as? [String: Any]) ?? [:] }
    var items: [[String: Any]] { body["items"] as? [[String: Any]] ?? [] }
    subscript(key: String) -> Any? { body[key] }
    var id: String { body["id"] as? String ?? "" }
}

/// The event service built for a test: its own database on the test MongoDB, a test
/// clock, scripted faults, no background workers (tests run them by hand).
struct EventHarness: Sendable {
    let pool: MongoClientPool
    let database: MongoDatabase
    let components: EventServiceComponents
    let clock: TestClock
    let faults: ScriptedFaults
    let client: any TestClientProtocol

    static func run(
        at date: Date? = nil, workers: EventWorkersConfiguration = EventWorkersConfiguration(), maxPoolSize: Int = 16,
        _ body: @escaping @Sendable (EventHarness) async throws -> Void
    ) async throws {
        let pool = try await makeTestPool(maxPoolSize: maxPoolSize)
        let database = pool.database(uniqueDatabaseName("ev"))
        let clock = TestClock(date)
        let faults = ScriptedFaults()
        let logger = Logger(label: "event-tests", factory: { _ in SwiftLogNoOpLogHandler() })
        let configuration = EventApplicationConfiguration(
            service: ServiceConfiguration(
                http: HTTPServerConfiguration(port: 0), mongo: MongoClientConfiguration(uri: "mongodb://unused"),
                databaseName: database.name),
            workers: workers, runsBackgroundWorkers: false, faultInjector: faults)
        let components = EventServiceComponents(
            configuration: configuration, database: database, logger: logger, clock: clock.workerClock)
        let application = try buildEventApplication(
            components: components, configuration: configuration, pool: pool, verifier: try await TestKeys.verifier(),
            logger: logger)
        do {
            try await application.test(.router) { client in
                try await body(
                    EventHarness(
                        pool: pool, database: database, components: components, clock: clock, faults: faults,
                        client: client))
            }
        } catch {
            try? await database.drop()
            await pool.close()
            throw error
        }
        try? await database.drop()
        await pool.close()
    }

    // MARK: requests

    func request(
        _ method: HTTPRequest.Method, _ uri: String, token: String? = nil, json: Any? = nil, rawBody: String? = nil
    ) async throws -> JSONResponse {
        var headers: HTTPFields = [:]
        if let token { headers[.authorization] = "Bearer \(token)" }
        var buffer: ByteBuffer?
        if let json {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(bytes: Array(try JSONSerialization.data(withJSONObject: json)))
        } else if let rawBody {
            headers[.contentType] = "application/json"
            buffer = ByteBuffer(string: rawBody)
        }
        let response = try await client.execute(uri: uri, method: method, headers: headers, body: buffer)
        let data = Data(response.body.readableBytesView)
        let object = data.isEmpty ? [:] : (try? JSONSerialization.jsonObject(with: data)) as? [String: Any] ?? [:]
        return JSONResponse(status: Int(response.status.code), body: object)
    }

    // MARK: tokens

    static func token(_ subject: String, _ roles: [Role]) async throws -> String {
        try await TestKeys.token(subject: subject, roles: roles)
    }

    func operatorToken() async throws -> String { try await Self.token(ObjectID().hex, [.operator]) }
    func adminToken() async throws -> String { try await Self.token(ObjectID().hex, [.admin]) }
    func auditorToken() async throws -> String { try await Self.token(ObjectID().hex, [.auditor]) }
    func serviceToken(_ subject: String = "game-server-1") async throws -> String {
        try await Self.token(subject, [.service])
    }
    func userToken(_ user: ObjectID) async throws -> String { try await Self.token(user.hex, [.user]) }

    // MARK: setup

    static func iso(_ date: Date) -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    /// Creates an event (DRAFT) through the API; returns its id.
    func createEvent(
        conditions: [[String: Any]], start: Date? = nil, end: Date? = nil, timezone: String? = nil,
        title: String = "Spring event", token: String? = nil
    ) async throws -> String {
        let now = clock.now
        var body: [String: Any] = [
            "title": title, "startAt": Self.iso(start ?? now.addingTimeInterval(-86_400)),
            "endAt": Self.iso(end ?? now.addingTimeInterval(86_400 * 7)), "conditions": conditions,
        ]
        if let timezone { body["timezone"] = timezone }
        let staff = try await operatorToken()
        let response = try await request(.post, "/events", token: token ?? staff, json: body)
        guard response.status == 201 else { throw TestSupportError("createEvent: \(response.status) \(response.body)") }
        return response.id
    }

    /// Adds a reward; returns its id.
    @discardableResult
    func addReward(_ event: String, _ reward: [String: Any]) async throws -> String {
        let response = try await request(
            .post, "/events/\(event)/rewards", token: try await operatorToken(), json: reward)
        guard response.status == 201 else { throw TestSupportError("addReward: \(response.status) \(response.body)") }
        return response.id
    }

    func setStatus(_ event: String, _ status: String) async throws -> JSONResponse {
        try await request(.post, "/events/\(event)/status", token: try await operatorToken(), json: ["status": status])
    }

    /// An ACTIVE event with the given conditions and rewards (a 100-point reward by default).
    func activeEvent(
        conditions: [[String: Any]], rewards: [[String: Any]] = [["type": "POINT", "name": "Points", "amount": 100]],
        start: Date? = nil, end: Date? = nil, timezone: String? = nil
    ) async throws -> (event: String, rewards: [String]) {
        let event = try await createEvent(conditions: conditions, start: start, end: end, timezone: timezone)
        var rewardIDs: [String] = []
        for reward in rewards { rewardIDs.append(try await addReward(event, reward)) }
        let activated = try await setStatus(event, "ACTIVE")
        guard activated.status == 200 else { throw TestSupportError("activate: \(activated.status) \(activated.body)") }
        return (event, rewardIDs)
    }

    /// Records activities through the API as a SERVICE client.
    func record(_ user: ObjectID, _ activities: [(type: String, at: Date, attributes: [String: Any])]) async throws {
        let batch = activities.map { activity -> [String: Any] in
            [
                "userId": user.hex, "type": activity.type, "occurredAt": Self.iso(activity.at),
                "attributes": activity.attributes,
            ]
        }
        let response = try await request(
            .post, "/activities", token: try await serviceToken(), json: ["activities": batch])
        guard response.status == 201 else { throw TestSupportError("record: \(response.status) \(response.body)") }
    }

    /// LOGIN activities at `dates`.
    func logins(_ user: ObjectID, _ dates: [Date]) async throws {
        try await record(user, dates.map { ("LOGIN", $0, [:]) })
    }

    func claim(_ event: String, as user: ObjectID) async throws -> JSONResponse {
        try await request(.post, "/events/\(event)/claims", token: try await userToken(user))
    }

    // MARK: stored state

    func documents(_ collection: String, _ filter: BSONDocument = [:]) async throws -> [BSONDocument] {
        try await database.collection(collection).find(filter).toArray()
    }

    func count(_ collection: String, _ filter: BSONDocument = [:]) async throws -> Int {
        try await database.collection(collection).countDocuments(filter)
    }

    func remainingStock(_ reward: String) async throws -> Int? {
        try await database.collection("rewardStock").findOne(["_id": .objectID(try ObjectID(reward))])?["remaining"]?
            .intValue
    }

    /// The command names the double executed on this database since `clearCommandLog()`.
    func commandLog() async throws -> [String] {
        try await doubleCommandLog(pool: pool, database: database.name)
    }

    func clearCommandLog() async throws {
        _ = try await pool.database("admin").runCommand(["doubleClearCommandLog": 1, "db": .string(database.name)])
    }
}

/// `2024-03-01T12:00:00Z`-style literal dates for tests.
func date(_ text: String) -> Date {
    (try? Date.ISO8601FormatStyle().parse(text)) ?? Date(timeIntervalSince1970: 0)
}
