import NIOCore
import NIOHTTP1
import NIOPosix

/// The keep-alive connections of one event loop to one upstream. An exchange takes an idle
/// connection (or opens one), sends one request over it and hands it back when the
/// response is complete.
/// Lives on its event loop; every method must be called there.
final class UpstreamConnectionPool {
    /// Why a connect failed when the pool itself refused (it is closed).
    struct Closed: Error {}

    let eventLoop: any EventLoop
    let target: UpstreamTarget
    /// The most connections (idle, busy or being opened) at once.
    let limit: Int
    let connectTimeout: TimeAmount

    private var idle: [UpstreamConnection] = []
    private var opened = 0
    private var isClosed = false

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
    func takeIdleConnection() -> UpstreamConnection? {
        guard !isClosed else { return nil }
        while let connection = idle.popLast() {
            if connection.isActive { return connection }
        }
        return nil
    }

    /// Opens a new connection and calls `completion` on the event loop with it once
    /// connected, or with the connect error.
    func connect(_ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        guard !isClosed else { return completion(.failure(Closed())) }
        opened += 1
        ClientBootstrap(group: eventLoop)
            .connectTimeout(connectTimeout)
            .channelOption(.socketOption(.tcp_nodelay), value: 1)
            .channelInitializer { channel in
                channel.eventLoop.makeCompletedFuture {
                    // Outbound validation off: the headers were validated when the client's
                    // request was decoded, and the gateway adds only well-formed ones.
                    try channel.pipeline.syncOperations.addHTTPClientHandlers(enableOutboundHeaderValidation: false)
                    try channel.pipeline.syncOperations.addHandler(UpstreamConnection())
                }
            }
            .connect(host: target.host, port: target.port)
            .assumeIsolated()
            .whenComplete { result in
                switch result {
                case .success(let channel):
                    guard let connection = try? channel.pipeline.syncOperations.handler(type: UpstreamConnection.self),
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
    func release(_ connection: UpstreamConnection) {
        connection.receiver = nil
        connection.setReadingPaused(false)
        guard !isClosed, connection.isActive else { return connection.close() }
        idle.append(connection)
    }

    /// Told by a connection that it closed.
    func connectionClosed(_ connection: UpstreamConnection) {
        connection.pool = nil
        opened -= 1
        idle.removeAll { $0 === connection }
    }

    /// Closes the idle connections and refuses new ones; busy ones close when released.
    func close() {
        isClosed = true
        let connections = idle
        idle = []
        for connection in connections { connection.close() }
    }
}
