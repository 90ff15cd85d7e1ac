internal import CMongoC
public import Logging
import NIOCore
import NIOPosix
public import ServiceLifecycle
import Synchronization

/// The process's connection to MongoDB: a `mongoc_client_pool_t` plus the thread pool on
/// which every blocking libmongoc call runs (never on an event loop).
///
/// Operations wait asynchronously for one of `maxPoolSize` permits, then run as one job on
/// the thread pool with a client popped from the C pool and pushed back when the job ends;
/// a cursor keeps its permit and client until it is exhausted or dropped. Run it as a
/// `Service` (it closes on graceful shutdown) or call `close()`.
public final class MongoClientPool: Service,
    // Unchecked because it owns the `mongoc_client_pool_t` pointer, which libmongoc
    // documents as thread-safe; its only mutable state lives in a Mutex. This is the one
    // such exception in the code base (STYLE.md, Interop with C §7).
    @unchecked Sendable
{
    private let pool: OpaquePointer
    private let threadPool: NIOThreadPool
    private let permits: PermitGate
    private let isClosed = Mutex(false)
    /// The configuration the pool was created with.
    public let configuration: MongoClientConfiguration
    let logger: Logger

    /// Creates the pool and starts its threads. Connections open lazily.
    /// - Throws: `MongoError.invalidArgument` for a malformed connection string or pool size.
    public init(configuration: MongoClientConfiguration, logger: Logger = Logger(label: "MongoKit")) throws {
        guard configuration.maxPoolSize >= 1 else {
            throw MongoError.invalidArgument(message: "maxPoolSize must be at least 1")
        }
        MongoCRuntime.ensureInitialized()
        let error = BSONErrorBuffer()
        guard let uri = mongoc_uri_new_with_error(configuration.uri, error.pointer) else {
            throw MongoError.invalidArgument(message: "invalid MongoDB connection string: \(error.message)")
        }
        defer { mongoc_uri_destroy(uri) }
        Self.applyDefault(MONGOC_URI_SERVERSELECTIONTIMEOUTMS, configuration.serverSelectionTimeout, to: uri)
        Self.applyDefault(MONGOC_URI_CONNECTTIMEOUTMS, configuration.connectTimeout, to: uri)
        Self.applyDefault(MONGOC_URI_SOCKETTIMEOUTMS, configuration.socketTimeout, to: uri)

        guard let pool = mongoc_client_pool_new_with_error(uri, error.pointer) else {
            throw MongoError.invalidArgument(message: "cannot create MongoDB client pool: \(error.message)")
        }
        mongoc_client_pool_set_error_api(pool, MONGOC_ERROR_API_VERSION_2)
        mongoc_client_pool_max_size(pool, UInt32(configuration.maxPoolSize))
        if let appName = configuration.appName {
            mongoc_client_pool_set_appname(pool, appName)
        }
        self.pool = pool
        self.configuration = configuration
        self.logger = logger
        permits = PermitGate(permits: configuration.maxPoolSize)
        threadPool = NIOThreadPool(numberOfThreads: configuration.maxPoolSize)
        threadPool.start()
    }

    deinit {
        // `close()` is the orderly path; this only frees what a forgotten close left.
        if !isClosed.withLock({ $0 }) {
            threadPool.shutdownGracefully { _ in }
        }
    }

    private static func applyDefault(_ option: String, _ duration: Duration, to uri: OpaquePointer) {
        if !mongoc_uri_has_option(uri, option) {
            mongoc_uri_set_option_as_int32(uri, option, duration.clampedMilliseconds)
        }
    }

    /// A handle on the database `name` (no I/O).
    public func database(_ name: String) -> MongoDatabase {
        MongoDatabase(name: name, pool: self)
    }

    /// Runs `ping` against the admin database.
    /// - Throws: `MongoError.serverSelection`/`.network`/`.timeout` when MongoDB is unreachable.
    public func ping() async throws {
        _ = try await database("admin").runCommand(["ping": 1])
    }

    /// Stops accepting operations, waits for running ones and open cursors to give their
    /// clients back, then stops the threads and destroys the C pool. Idempotent.
    public func close() async {
        let alreadyClosed = isClosed.withLock { closed in
            defer { closed = true }
            return closed
        }
        guard !alreadyClosed else { return }
        for _ in 0..<configuration.maxPoolSize {
            await permits.acquireUncancellably()
        }
        try? await threadPool.shutdownGracefully()
        mongoc_client_pool_destroy(pool)
        logger.debug("MongoDB client pool closed")
    }

    /// Waits for graceful shutdown, then closes the pool.
    public func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    // MARK: - The blocking-work funnel

    /// Runs `body` on the thread pool with a client popped from the C pool; the client goes
    /// back when `body` returns or throws. The permit taken first guarantees the pop never
    /// blocks a thread.
    func withClient<Result: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws -> Result
    ) async throws -> Result {
        try await acquirePermit()
        defer { permits.release() }
        return try await run { [self] in
            let client = popClient()
            defer { pushClient(client) }
            return try body(client)
        }
    }

    /// Runs a job on the thread pool, mapping a stopped pool to `MongoError.closed`.
    func run<Result: Sendable>(_ body: @escaping @Sendable () throws -> Result) async throws -> Result {
        do {
            return try await threadPool.runIfActive(body)
        } catch is NIOThreadPoolError.ThreadPoolInactive {
            throw MongoError.closed
        }
    }

    /// Takes one permit (one client's worth); pair with `releasePermit()`.
    /// - Throws: `MongoError.timeout` when none frees up within the configuration's
    ///   `waitQueueTimeout`; `CancellationError` when the task is cancelled while waiting.
    func acquirePermit() async throws {
        guard !isClosed.withLock({ $0 }) else { throw MongoError.closed }
        do {
            try await permits.acquire(within: configuration.waitQueueTimeout)
        } catch is PermitGate.TimedOut {
            throw MongoError.timeout(
                message: "no MongoDB connection of the pool (\(configuration.maxPoolSize)) came free within "
                    + "\(configuration.waitQueueTimeout.map { "\($0)" } ?? "the wait")")
        }
    }

    func releasePermit() {
        permits.release()
    }

    /// Connections no operation or cursor holds right now.
    var freeConnections: Int {
        permits.availablePermits
    }

    /// Pops a client on a thread-pool thread; call only while holding a permit.
    func popClient() -> OpaquePointer {
        // Holding a permit means fewer than maxPoolSize clients are out, so this returns
        // at once (libmongoc creates a client when none is idle).
        mongoc_client_pool_pop(pool)
    }

    /// Pushes a client back; the caller then releases its permit.
    func pushClient(_ client: OpaquePointer) {
        mongoc_client_pool_push(pool, client)
    }
}

extension MongoClientPool {
    /// Queues cleanup work on the thread pool without waiting (used from `deinit`s); if
    /// the pool has stopped the work runs right here instead.
    func submit(_ body: @escaping @Sendable () -> Void) {
        threadPool.submit { _ in body() }
    }
}
