import Logging
import MongoKit
import PlatformCore
import ServiceLifecycle
import Synchronization

/// Creates the event database's indexes and remembers when they exist.
///
/// Claims, activities and audit ingest rely on unique indexes, so they answer 503 until
/// `isReady`; readiness reports `indexes` down until then. The application tries once
/// before it starts listening, and this `Service` keeps retrying (with backoff) while
/// MongoDB is unreachable, so the service is alive — but not ready — without a database.
final class IndexBootstrap: Service, Sendable {
    private let database: MongoDatabase
    private let logger: Logger
    private let ready = Atomic<Bool>(false)

    init(database: MongoDatabase, logger: Logger) {
        self.database = database
        self.logger = logger
    }

    /// Whether every index exists.
    var isReady: Bool { ready.load(ordering: .acquiring) }

    /// One attempt; returns whether the indexes exist now.
    @discardableResult
    func createOnce() async -> Bool {
        if isReady { return true }
        do {
            try await EventIndexes.create(in: database)
            ready.store(true, ordering: .releasing)
            logger.info("indexes ready", metadata: ["db.name": .string(database.name)])
            return true
        } catch {
            logger.warning(
                "index creation failed", metadata: ["error.description": .string(String(describing: error))])
            return false
        }
    }

    /// Retries until the indexes exist or the service group shuts down.
    func run() async throws {
        var delay = Duration.milliseconds(500)
        while !isReady {
            if await createOnce() { break }
            do {
                try await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
            } catch {
                return
            }
            delay = min(delay * 2, .seconds(15))
        }
        // Nothing more to do; stay until shutdown so the group does not end early.
        try? await gracefulShutdown()
    }

    /// Throws 503 until the indexes exist.
    func requireReady() throws {
        guard isReady else {
            throw APIError(.serviceUnavailable, message: "The service is starting; try again shortly.")
        }
    }
}
