import NIOCore
import ServiceLifecycle
import Synchronization

/// The event-loop proxy's upstream connections: on each event loop, one pool per service
/// (and one `ExchangeTimeouts`).
///
/// Run it as a service listed before the server: at graceful shutdown the server stops
/// first (its connections finish their requests), then this closes every pooled
/// connection and refuses new ones.
final class LoopUpstreams: Service, Sendable {
    let targets: [String: UpstreamTarget]
    /// Connections each event loop may hold to each upstream, per path
    /// (`GatewayConfiguration.upstreamConnectionsPerLoop`).
    let connectionsPerLoop: Int
    let connectTimeout: TimeAmount
    /// How often each loop looks for exchanges past their read timeout or deadline.
    let timeoutCheckInterval: TimeAmount

    private struct State {
        var pools: [ObjectIdentifier: NIOLoopBound<LoopPools>] = [:]
        var isClosed = false
    }
    private let state = Mutex(State())

    /// - Parameters:
    ///   - targets: The reachable services.
    ///   - connectTimeout: How long opening an upstream connection may take.
    ///   - readTimeout: The read timeout; timeouts are checked 4 times within it (at most
    ///     every 250 ms, at least every 10 ms).
    ///   - connectionsPerLoop: Connections each loop may hold to each upstream, per path.
    init(
        targets: [String: UpstreamTarget], connectTimeout: TimeAmount, readTimeout: TimeAmount,
        connectionsPerLoop: Int
    ) {
        self.targets = targets
        self.connectionsPerLoop = max(1, connectionsPerLoop)
        self.connectTimeout = connectTimeout
        self.timeoutCheckInterval = .nanoseconds(
            min(
                max(readTimeout.nanoseconds / 4, TimeAmount.milliseconds(10).nanoseconds),
                TimeAmount.milliseconds(250).nanoseconds))
    }

    /// The pools of `eventLoop`, made on first use; `nil` once shut down. Call it on
    /// `eventLoop` (once per client connection).
    func pools(for eventLoop: any EventLoop) -> LoopPools? {
        state.withLock { state -> LoopPools? in
            guard !state.isClosed else { return nil }
            let key = ObjectIdentifier(eventLoop)
            if let existing = state.pools[key] { return existing.value }
            let pools = LoopPools(
                eventLoop: eventLoop, targets: targets, connectTimeout: connectTimeout,
                timeoutCheckInterval: timeoutCheckInterval, connectionsPerLoop: connectionsPerLoop)
            state.pools[key] = NIOLoopBound(pools, eventLoop: eventLoop)
            return pools
        }
    }

    /// Waits for graceful shutdown, then closes every pool.
    func run() async throws {
        try? await gracefulShutdown()
        await close()
    }

    /// Closes every pool (on its own event loop) and refuses new ones.
    func close() async {
        let pools = state.withLock { state in
            state.isClosed = true
            return Array(state.pools.values)
        }
        for bound in pools {
            try? await bound.eventLoop.submit { bound.value.close() }.get()
        }
    }
}

/// One event loop's pools, by service — HTTP/1 codec connections for `LoopProxyHandler`,
/// byte connections for `WireProxyHandler` — and the timeouts of its exchanges. Lives on
/// that loop.
final class LoopPools {
    private let pools: [String: UpstreamConnectionPool<UpstreamConnection>]
    private let wirePools: [String: UpstreamConnectionPool<WireUpstreamConnection>]
    let timeouts: ExchangeTimeouts
    let date = HTTPDateCache()

    init(
        eventLoop: any EventLoop, targets: [String: UpstreamTarget], connectTimeout: TimeAmount,
        timeoutCheckInterval: TimeAmount, connectionsPerLoop: Int
    ) {
        timeouts = ExchangeTimeouts(eventLoop: eventLoop, interval: timeoutCheckInterval)
        pools = targets.mapValues {
            UpstreamConnectionPool(
                eventLoop: eventLoop, target: $0, limit: connectionsPerLoop, connectTimeout: connectTimeout)
        }
        wirePools = targets.mapValues {
            UpstreamConnectionPool(
                eventLoop: eventLoop, target: $0, limit: connectionsPerLoop, connectTimeout: connectTimeout)
        }
    }

    /// The codec pool for `service`, if it can be reached this way.
    func pool(for service: String) -> UpstreamConnectionPool<UpstreamConnection>? {
        pools[service]
    }

    /// The byte pool for `service`, if it can be reached this way.
    func wirePool(for service: String) -> UpstreamConnectionPool<WireUpstreamConnection>? {
        wirePools[service]
    }

    func close() {
        for pool in pools.values { pool.close() }
        for pool in wirePools.values { pool.close() }
    }
}

/// The byte pool a connection used last: a connection's requests mostly call one route, so
/// its pool is looked up by service name once, not per request (as `RecentSeries` does for
/// the metrics).
struct RecentWirePool {
    private var route: LoopRoute?
    private var pool: UpstreamConnectionPool<WireUpstreamConnection>?

    /// The byte pool of `route`'s service in `pools`, if it can be reached this way.
    mutating func pool(for route: LoopRoute, in pools: LoopPools) -> UpstreamConnectionPool<WireUpstreamConnection>? {
        if let pool, self.route === route { return pool }
        let found = pools.wirePool(for: route.service)
        self.route = route
        self.pool = found
        return found
    }
}
