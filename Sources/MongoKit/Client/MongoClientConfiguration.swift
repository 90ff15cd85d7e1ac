/// How to reach MongoDB and how long to wait for it. A value, validated when the pool is
/// created; the timeouts fill in only what the connection string does not set itself.
public struct MongoClientConfiguration: Sendable, Equatable {
    /// A `mongodb://` or `mongodb+srv://` connection string.
    public var uri: String
    /// The most connections (and concurrent operations) the pool holds. Default 16.
    public var maxPoolSize: Int
    /// How long an operation waits for a usable server. Default 5 s.
    public var serverSelectionTimeout: Duration
    /// How long opening a connection may take. Default 2 s.
    public var connectTimeout: Duration
    /// How long a command may wait for its reply. Default 10 s.
    public var socketTimeout: Duration
    /// How long an operation may wait for a connection of the pool when all
    /// `maxPoolSize` are in use; then it fails with `MongoError.timeout`. `nil` (the
    /// default) waits as long as it takes.
    public var waitQueueTimeout: Duration?
    /// The application name the server logs for each connection.
    public var appName: String?

    public init(
        uri: String,
        maxPoolSize: Int = 16,
        serverSelectionTimeout: Duration = .seconds(5),
        connectTimeout: Duration = .seconds(2),
        socketTimeout: Duration = .seconds(10),
        waitQueueTimeout: Duration? = nil,
        appName: String? = nil
    ) {
        self.uri = uri
        self.maxPoolSize = maxPoolSize
        self.serverSelectionTimeout = serverSelectionTimeout
        self.connectTimeout = connectTimeout
        self.socketTimeout = socketTimeout
        self.waitQueueTimeout = waitQueueTimeout
        self.appName = appName
    }
}

extension Duration {
    /// Whole milliseconds, clamped to what libmongoc's int32 options accept.
    var clampedMilliseconds: Int32 {
        let (seconds, attoseconds) = components
        let milliseconds = seconds * 1000 + attoseconds / 1_000_000_000_000_000
        return Int32(clamping: max(milliseconds, 1))
    }
}
