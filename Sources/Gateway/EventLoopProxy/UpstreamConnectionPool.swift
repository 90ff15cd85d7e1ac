import NIOCore
import NIOHTTP1
import NIOPosix

/// The keep-alive connections of one event loop to one upstream. Exchanges lease a
/// connection, send one request over it and hand it back when the response is complete.
/// Lives on its event loop; every method must be called there.
final class UpstreamConnectionPool {
    /// Why a lease failed when the pool itself refused.
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

    /// Whether `lease` can give a connection now or open one; when not, the request goes
    /// the HTTP client's way.
    var canLease: Bool { !isClosed && (!idle.isEmpty || opened < limit) }

    /// Calls `completion` on the event loop with an idle connection (at once) or a new one
    /// (once connected), or with the connect error.
    func lease(_ completion: @escaping (Result<UpstreamConnection, any Error>) -> Void) {
        guard !isClosed else { return completion(.failure(Closed())) }
        while let connection = idle.popLast() {
            if connection.isActive { return completion(.success(connection)) }
        }
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
        guard !isClosed, connection.isActive else { return connection.close() }
        idle.append(connection)
    }

    /// Told by a connection that it closed.
    func connectionClosed(_ connection: UpstreamConnection) {
        connection.pool = nil
        opened -= 1
        idle.removeAll { $0 === connection }
    }

    /// Closes the idle connections and refuses new leases; busy ones close when released.
    func close() {
        isClosed = true
        let connections = idle
        idle = []
        for connection in connections { connection.close() }
    }
}
