public import AsyncHTTPClient
import JWTKit
public import Logging
public import ServiceLifecycle
import Synchronization

/// Keeps `VerifyingKeys` in step with auth's JWK set (`GET /.well-known/jwks.json`),
/// so tokens signed by a rotated key verify without a restart. Run it as a `Service`.
///
/// - At start it fetches the set, retrying with exponential backoff until it succeeds or
///   the service group shuts down; the server runs meanwhile (tokens are refused until
///   keys arrive).
/// - Then it refreshes every `periodicRefreshInterval`.
/// - `refreshForUnknownKey()` is `TokenVerifier`'s hook for a token with an unknown `kid`:
///   it fetches at most once per `minimumRefreshInterval`; concurrent callers share one fetch.
///
/// Only ES256 keys (`kty: EC`, `crv: P-256`, `alg` ES256 or absent, `use` sig or absent,
/// with a `kid`) are taken; others are ignored. A token verifies only with the key its
/// `kid` names. A key stays usable while the set lists it
/// and is removed once a successful fetch no longer does. A fetch that fails, or yields no
/// usable key, leaves the keys as they were.
public actor JWKSRefresher: Service {
    /// Where the set is and how often to fetch it.
    public struct Configuration: Sendable, Equatable {
        /// The JWK set's URL, e.g. `http://127.0.0.1:3001/.well-known/jwks.json`.
        public var url: String
        /// The least time between two fetches asked for by unknown `kid`s.
        public var minimumRefreshInterval: Duration
        /// How often the set is fetched once it has been loaded.
        public var periodicRefreshInterval: Duration
        /// The first retry delay at start; it doubles per failure up to `maximumRetryDelay`.
        public var initialRetryDelay: Duration
        /// The longest delay between two attempts at start.
        public var maximumRetryDelay: Duration
        /// How long one fetch may take.
        public var requestTimeout: Duration

        /// Creates a configuration.
        public init(
            url: String, minimumRefreshInterval: Duration = .seconds(5),
            periodicRefreshInterval: Duration = .seconds(300),
            initialRetryDelay: Duration = .milliseconds(250), maximumRetryDelay: Duration = .seconds(10),
            requestTimeout: Duration = .seconds(3)
        ) {
            self.url = url
            self.minimumRefreshInterval = minimumRefreshInterval
            self.periodicRefreshInterval = periodicRefreshInterval
            self.initialRetryDelay = initialRetryDelay
            self.maximumRetryDelay = maximumRetryDelay
            self.requestTimeout = requestTimeout
        }
    }

    /// The verifying keys; hand them to `TokenVerifier` (or use `verifier(expectations:)`).
    public nonisolated let keys: VerifyingKeys
    private let configuration: Configuration
    private let httpClient: HTTPClient
    private let logger: Logger
    /// The caches of the verifiers made here, emptied when a key is withdrawn.
    private nonisolated let caches = Mutex<[VerifiedTokenCache]>([])
    private var loadedKIDs: Set<String> = []
    private var lastFetch: ContinuousClock.Instant?
    /// Callers waiting for the fetch in flight; `nil` when none is.
    private var waiters: [CheckedContinuation<Bool, Never>]?

    /// Creates a refresher; nothing is fetched until `run()` or a refresh is asked for.
    /// - Parameters:
    ///   - configuration: The set's URL and the timings.
    ///   - httpClient: The client to fetch with; the caller owns and shuts it down.
    ///   - keys: The keys to keep in step; new, empty ones by default.
    ///   - logger: Logs fetch failures (warning) and key changes (info).
    public init(
        configuration: Configuration, httpClient: HTTPClient, keys: VerifyingKeys = VerifyingKeys(),
        logger: Logger
    ) {
        self.configuration = configuration
        self.httpClient = httpClient
        self.keys = keys
        self.logger = logger
    }

    /// A verifier over these keys that refreshes them on an unknown `kid`.
    /// - Parameters:
    ///   - expectations: The issuer and audience to insist on.
    ///   - cache: Remembers verified tokens; the refresher empties it whenever a key is
    ///     withdrawn, so no token of a withdrawn key is accepted from the cache.
    ///   - metrics: Counts the verifier's checks against the keys; `nil` counts nothing.
    ///   - failureBudget: Failed checks allowed per client address; `nil` allows any number.
    /// - Returns: The verifier.
    public nonisolated func verifier(
        expectations: TokenExpectations = TokenExpectations(), cache: VerifiedTokenCache? = nil,
        metrics: TokenVerificationMetrics? = nil, failureBudget: TokenFailureBudget? = nil
    ) -> TokenVerifier {
        if let cache { caches.withLock { $0.append(cache) } }
        return TokenVerifier(
            keys: keys, expectations: expectations,
            refreshKeys: { [self] in await self.refreshForUnknownKey() }, cache: cache, metrics: metrics,
            failureBudget: failureBudget)
    }

    /// Whether any verifying key is held yet (loaded, or given at start; a fetch never leaves
    /// none). Read without suspending: the gateway asks on its event loops.
    public nonisolated var hasKeys: Bool { !keys.isEmpty }

    /// Fetches at start (with backoff), then periodically, until graceful shutdown.
    public func run() async throws {
        var delay = configuration.initialRetryDelay
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            if await refresh(reason: "start") { break }
            try? await cancelWhenGracefulShutdown { [delay] in try await Task.sleep(for: delay) }
            delay = min(delay * 2, configuration.maximumRetryDelay)
        }
        while !Task.isShuttingDownGracefully, !Task.isCancelled {
            try? await cancelWhenGracefulShutdown { [configuration] in
                try await Task.sleep(for: configuration.periodicRefreshInterval)
            }
            guard !Task.isShuttingDownGracefully, !Task.isCancelled else { break }
            _ = await refresh(reason: "periodic")
        }
    }

    /// `TokenVerifier`'s hook: fetches the set unless a fetch happened within
    /// `minimumRefreshInterval` (then joins one in flight, or returns `false`).
    /// - Returns: Whether the fetch brought a key that was not there before.
    public func refreshForUnknownKey() async -> Bool {
        if waiters != nil {
            return await withCheckedContinuation { waiters?.append($0) }
        }
        if let lastFetch, ContinuousClock.now - lastFetch < configuration.minimumRefreshInterval {
            return false
        }
        return await refresh(reason: "unknown kid")
    }

    /// Fetches now (joining a fetch in flight).
    /// - Returns: Whether a key was added.
    @discardableResult
    public func refresh(reason: String = "requested") async -> Bool {
        if waiters != nil {
            return await withCheckedContinuation { waiters?.append($0) }
        }
        waiters = []
        lastFetch = .now
        let added = await fetchAndApply(reason: reason)
        let waiting = waiters ?? []
        waiters = nil
        for waiter in waiting { waiter.resume(returning: added) }
        return added
    }

    private func fetchAndApply(reason: String) async -> Bool {
        let listed: [(kid: String, key: ES256PublicKey)]
        do {
            listed = try await JWKSFetch.usableKeys(
                url: configuration.url, client: httpClient, timeout: configuration.requestTimeout)
        } catch {
            logger.warning(
                "jwks fetch failed",
                metadata: [
                    "jwks.url": .string(configuration.url), "reason": .string(reason),
                    "error.description": .string(String(describing: error)),
                ])
            return false
        }
        let listedKIDs = Set(listed.map(\.kid))
        let added = listedKIDs.subtracting(loadedKIDs)
        let removed = loadedKIDs.subtracting(listedKIDs)
        do {
            try await keys.replace(with: listed)
        } catch {
            logger.warning(
                "jwks keys not usable",
                metadata: ["jwks.url": .string(configuration.url), "error.description": .string("\(error)")])
            return false
        }
        if !removed.isEmpty {
            for cache in caches.withLock({ $0 }) { cache.removeAll() }
        }
        loadedKIDs = listedKIDs
        if !added.isEmpty || !removed.isEmpty {
            logger.info(
                "jwks keys changed",
                metadata: [
                    "jwks.added": .array(added.sorted().map { .string($0) }),
                    "jwks.removed": .array(removed.sorted().map { .string($0) }),
                ])
        }
        return !added.isEmpty
    }
}
