import NIOCore
import NIOPosix

/// A keep-alive connection a pool hands out: the last handler of its channel.
protocol PooledUpstreamConnection: ChannelHandler, AnyObject {
    init()
    /// Adds the handlers that go before the connection's own (codecs, if any).
    static func addCodecs(to pipeline: ChannelPipeline.SynchronousOperations) throws
    /// The pool it returns to; told when the connection closes.
    var pool: UpstreamConnectionPool<Self>? { get set }
    /// Whether the connection can still carry a request.
    var isActive: Bool { get }
    /// Forgets its exchange and resumes reading, before it goes back to the idle list.
    func prepareForReuse()
    /// Closes the connection; `channelInactive` then tells the pool.
    func close()
}

/// The keep-alive connections of one event loop to one upstream. An exchange takes an idle
/// connection (or opens one), sends one request over it and hands it back when the
/// response is complete.
/// Lives on its event loop; every method must be called there.
final class UpstreamConnectionPool<Connection: PooledUpstreamConnection> {
    /// Why a connect failed when the pool itself refused (it is closed).
    struct Closed: Error {}

    let eventLoop: any EventLoop
    let target: UpstreamTarget
    /// The most connections (idle, busy or being opened) at once.
    let limit: Int
    let connectTimeout: TimeAmount

    // `idle` and `waiters` are not checked for overlapping accesses at run time (a request
    // touches them three times): every access to them is a single collection operation, and
    // the only code of this module run inside one is `connectionClosed`'s identity test, so
    // no access can begin inside another. The compiler cannot prove that across the
    // collections' out-of-line code; keep it true.
    @exclusivity(unchecked) private var idle: [Connection] = []
    private var opened = 0
    private var isClosed = false
    /// Leases waiting for a connection while the pool is at its limit, oldest first.
    @exclusivity(unchecked) private var waiters = CircularBuffer<(Result<Connection, any Error>) -> Void>()

    init(eventLoop: any EventLoop, target: UpstreamTarget, limit: Int, connectTimeout: TimeAmount) {
        self.eventLoop = eventLoop
        self.target = target
        self.limit = limit
        self.connectTimeout = connectTimeout
    }

    /// Whether there is an idle connection or room to open one; when not, the request goes
    /// the router's way.
    var canLease: Bool { !isClosed && (!idle.isEmpty || opened < limit) }

    /// An idle connection that is still open, if there is one.
    func takeIdleConnection() -> Connection? {
        guard !isClosed else { return nil }
        while let connection = idle.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Calls `completion` on the event loop with a connection: an idle one at once, a new
    /// one once connected, or — at the limit — the next one an exchange releases (or opens
    /// in place of one that closed). A closed pool, or a failed connect, fails it.
    func lease(_ completion: @escaping (Result<Connection, any Error>) -> Void) {
        if let connection = takeIdleConnection() { return completion(.success(connection)) }
        guard !isClosed else { return completion(.failure(Closed())) }
        if opened < limit {
            connect(completion)
        } else {
            waiters.append(completion)
        }
    }

    /// Opens a new connection and calls `completion` on the event loop with it once
    /// connected, or with the connect error.
    func connect(_ completion: @escaping (Result<Connection, any Error>) -> Void) {
        guard !isClosed else { return completion(.failure(Closed())) }
        opened += 1
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    try Connection.addCodecs(to: channel.pipeline.syncOperations)
                    try channel.pipeline.syncOperations.addHandler(Connection())
                }
            }
            .connect(host: target.host, port: target.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: Connection.self),
                        channel.isActive
                    else {
                        self.opened -= 1
                        channel.close(promise: nil)
                        return completion(.failure(ChannelError.ioOnClosedChannel))
                    }
                    connection.pool = self
                    completion(.success(connection))
                case .failure(let error):
                    self.opened -= 1
                    completion(.failure(error))
                }
            }
    }

    /// Takes back a connection whose exchange is complete and which may carry another
    /// request; closes it instead when the pool is closed or it is no longer open.
    func release(_ connection: Connection) {
        connection.prepareForReuse()
        guard !isClosed, connection.isActive else { return connection.close() }
        if let waiter = waiters.popFirst() {
            waiter(.success(connection))
        } else {
            idle.append(connection)
        }
    }

    /// Told by a connection that it closed.
    func connectionClosed(_ connection: Connection) {
        connection.pool = nil
        opened -= 1
        idle.removeAll { $0 === connection }
        if !isClosed, let waiter = waiters.popFirst() {
            connect(waiter)
        }
    }

    /// Closes the idle connections and refuses new ones; busy ones close when released.
    func close() {
        isClosed = true
        let connections = idle
        idle = []
        for connection in connections { connection.close() }
        let refused = waiters
        waiters.removeAll()
        for waiter in refused { waiter(.failure(Closed())) }
    }
}
