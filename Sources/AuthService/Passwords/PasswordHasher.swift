import HTTPTypes
import HummingbirdBcrypt
import NIOCore
import NIOPosix
import PlatformCore
public import ServiceLifecycle
import Synchronization

/// bcrypt, off the event loops and the cooperative pool: every hash and verification runs
/// on this hasher's own small thread pool, so a login storm queues here instead of taking
/// the threads that serve requests and talk to MongoDB.
///
/// At most `threads` hashes run at once; at most `maximumQueued` more wait, and only while
/// the expected wait (the queue ahead × the recent time of one hash ÷ threads) stays within
/// `maximumWait`. Beyond that a request fails fast with 503 `SERVICE_UNAVAILABLE`
/// (`Retry-After: 1`) rather than waiting longer than its client (or the gateway) will.
/// Run it as a `Service` (its threads stop after graceful shutdown).
public final class PasswordHasher: Service, Sendable {
    /// The bcrypt cost (log2 rounds) of new hashes.
    public let cost: Int
    private let threadPool: NIOThreadPool
    private let threads: Int
    private let maximumOutstanding: Int
    private let maximumWait: Double
    private let outstanding = Mutex(0)
    /// A moving average of one job's duration, in seconds (0 until the first one ends).
    private let averageJobSeconds = Mutex(0.0)
    private let isShutDown = Mutex(false)

    /// Creates the hasher and starts its threads.
    /// - Parameters:
    ///   - cost: The bcrypt cost, 4–31 (values outside are clamped: bcrypt traps on them).
    ///   - threads: Hashes that may run at once; `nil` for one less than the cores (at least 1),
    ///     so one core stays free for serving requests.
    ///   - maximumQueued: Hashes that may wait for a thread before requests are refused.
    ///   - maximumWait: The longest expected wait for a thread a request is queued for; 5 s
    ///     by default, half the gateway's read timeout.
    public init(cost: Int, threads: Int? = nil, maximumQueued: Int = 256, maximumWait: Duration = .seconds(5)) {
        self.cost = min(max(cost, 4), 31)
        let threads = max(1, threads ?? System.coreCount - 1)
        self.threads = threads
        threadPool = NIOThreadPool(numberOfThreads: threads)
        maximumOutstanding = threads + max(0, maximumQueued)
        let wait = maximumWait.components
        self.maximumWait = max(0, Double(wait.seconds) + Double(wait.attoseconds) * 1e-18)
        threadPool.start()
    }

    deinit {
        // `run()`'s shutdown is the orderly path; this only frees what a forgotten one left.
        if !isShutDown.withLock({ $0 }) {
            threadPool.shutdownGracefully { _ in }
        }
    }

    /// The bcrypt hash of `password` at this hasher's cost.
    /// - Throws: `APIError` `SERVICE_UNAVAILABLE` when too many hashes are queued or the
    ///   hasher is shut down.
    func hash(_ password: String) async throws -> String {
        let cost = UInt8(self.cost)
        return try await run { Bcrypt.hash(password, cost: cost) }
    }

    /// Whether `password` matches the bcrypt `hash`.
    /// - Throws: `APIError` `SERVICE_UNAVAILABLE` as `hash(_:)`.
    func verify(_ password: String, against hash: String) async throws -> Bool {
        try await run { Bcrypt.verify(password, hash: hash) }
    }

    private func run<Result: Sendable>(_ work: @escaping @Sendable () -> Result) async throws -> Result {
        let average = averageJobSeconds.withLock { $0 }
        let admitted = outstanding.withLock { count in
            let ahead = count - threads + 1  // jobs this one would wait behind
            guard count < maximumOutstanding, ahead <= 0 || Double(ahead) * average / Double(threads) <= maximumWait
            else { return false }
            count += 1
            return true
        }
        guard admitted else { throw Self.busy }
        defer { outstanding.withLock { $0 -= 1 } }
        do {
            return try await threadPool.runIfActive { [self] in
                let started = ContinuousClock.now
                defer { record(ContinuousClock.now - started) }
                return work()
            }
        } catch {
            throw Self.busy
        }
    }

    /// Folds one job's duration into the moving average.
    private func record(_ duration: Duration) {
        let parts = duration.components
        let seconds = Double(parts.seconds) + Double(parts.attoseconds) * 1e-18
        averageJobSeconds.withLock { $0 = $0 == 0 ? seconds : $0 * 0.8 + seconds * 0.2 }
    }

    private static var busy: APIError {
        APIError(.serviceUnavailable, message: "The service is busy; try again later.", headers: [.retryAfter: "1"])
    }

    /// Waits for graceful shutdown, then stops the threads once queued work is done.
    public func run() async throws {
        try? await gracefulShutdown()
        await shutdown()
    }

    /// Stops the threads after the queued work; idempotent.
    public func shutdown() async {
        let alreadyShutDown = isShutDown.withLock { done in
            defer { done = true }
            return done
        }
        guard !alreadyShutDown else { return }
        try? await threadPool.shutdownGracefully()
    }
}
