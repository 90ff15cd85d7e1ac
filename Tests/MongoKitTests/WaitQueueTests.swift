import Logging
import Synchronization
import TestSupport
import Testing

@testable import MongoKit

/// Waiting for a pooled connection: bounded by `waitQueueTimeout` when set, ended by
/// cancellation, first come first served — and a wait that ends early never keeps a permit.
@Suite struct WaitQueueTests {
    /// A pool of one connection on a fresh database, with `waitQueueTimeout`.
    static func withOneConnection(
        waitQueueTimeout: Duration?, _ body: (MongoCollection<BSONDocument>) async throws -> Void
    ) async throws {
        let configuration = MongoClientConfiguration(
            uri: try await MongoTestEndpoint.uri(), maxPoolSize: 1, serverSelectionTimeout: .seconds(5),
            socketTimeout: .seconds(20), waitQueueTimeout: waitQueueTimeout, appName: "tests")
        let pool = try MongoClientPool(configuration: configuration, logger: Logger(label: "tests"))
        let database = pool.database(uniqueDatabaseName())
        do {
            let collection = database.collection("held")
            try await collection.insertMany((0..<20).map { ["n": .int32(Int32($0))] })
            try await body(collection)
            try await database.drop()
        } catch {
            try? await database.drop()
            await pool.close()
            throw error
        }
        await pool.close()
    }

    /// Opens a cursor that keeps the pool's only connection while its iterator lives
    /// (a dropped iterator gives the connection back).
    static func holdTheConnection(
        _ collection: MongoCollection<BSONDocument>
    ) async throws -> MongoCursor<BSONDocument>.Iterator {
        let iterator = try collection.find(options: FindOptions(batchSize: 2)).makeAsyncIterator()
        _ = try await iterator.next()
        return iterator
    }

    /// Waits (at most 20 s) until the pool's one connection is free again. A dropped cursor
    /// gives it back from the thread pool after a `killCursors` round trip, which can take
    /// longer than a short `waitQueueTimeout` on a loaded machine.
    static func waitForTheConnection(of collection: MongoCollection<BSONDocument>) async throws {
        let deadline = ContinuousClock.now + .seconds(20)
        while collection.pool.freeConnections < 1 && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        try #require(collection.pool.freeConnections == 1, "the dropped cursor never gave its connection back")
    }

    @Test(.timeLimit(.minutes(1))) func anOperationThatCannotGetAConnectionInTimeFailsWithTimeout() async throws {
        try await Self.withOneConnection(waitQueueTimeout: .milliseconds(200)) { collection in
            var held: MongoCursor<BSONDocument>.Iterator? = try await Self.holdTheConnection(collection)
            await #expect {
                _ = try await collection.countDocuments()
            } throws: { error in
                guard case .timeout(let message) = error as? MongoError else { return false }
                return message.contains("no MongoDB connection")
            }
            #expect(held != nil)
            held = nil  // the connection goes back, once the cursor is killed on the server
            try await Self.waitForTheConnection(of: collection)
            // The timed-out wait took no permit with it: the connection is usable again.
            #expect(try await collection.countDocuments() == 20)
        }
    }

    @Test(.timeLimit(.minutes(1))) func aCancelledWaitEndsAtOnceAndLeavesThePermitAlone() async throws {
        try await Self.withOneConnection(waitQueueTimeout: nil) { collection in
            var held: MongoCursor<BSONDocument>.Iterator? = try await Self.holdTheConnection(collection)
            let waiting = Task { try await collection.countDocuments() }
            try await Task.sleep(for: .milliseconds(100))
            waiting.cancel()
            await #expect(throws: CancellationError.self) { _ = try await waiting.value }
            #expect(held != nil)
            held = nil
            #expect(try await collection.countDocuments() == 20)
        }
    }

    @Test(.timeLimit(.minutes(1))) func waitersAreServedInOrderAndATimedOutOneIsSkipped() async throws {
        let gate = PermitGate(permits: 1)
        try await gate.acquire(within: nil)
        let order = OrderLog()
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                try await gate.acquire(within: nil)
                order.append("first")
                gate.release()
            }
            try await Task.sleep(for: .milliseconds(50))
            group.addTask {
                await #expect(throws: PermitGate.TimedOut.self) { try await gate.acquire(within: .milliseconds(50)) }
                order.append("timed out")
            }
            try await Task.sleep(for: .milliseconds(50))
            group.addTask {
                try await gate.acquire(within: nil)
                order.append("second")
                gate.release()
            }
            try await Task.sleep(for: .milliseconds(200))
            gate.release()
            try await group.waitForAll()
        }
        #expect(order.entries == ["timed out", "first", "second"])
        // Every permit is back: one can be taken without waiting, a second cannot.
        try await gate.acquire(within: .milliseconds(10))
        await #expect(throws: PermitGate.TimedOut.self) { try await gate.acquire(within: .milliseconds(10)) }
        // A limit shorter than it takes to queue still ends the wait.
        await #expect(throws: PermitGate.TimedOut.self) { try await gate.acquire(within: .nanoseconds(1)) }
    }
}

/// What happened, in order, from concurrent tasks.
final class OrderLog: Sendable {
    private let log = Mutex<[String]>([])
    func append(_ entry: String) { log.withLock { $0.append(entry) } }
    var entries: [String] { log.withLock { $0 } }
}
