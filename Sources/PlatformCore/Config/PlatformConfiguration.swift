import Logging
import MongoKit

/// The configuration of the whole platform — gateway, auth, event and logging — read from
/// the environment once, by the CLI. Libraries and tests take the per-service values.
///
/// | variable | default | meaning |
/// |---|---|---|
/// | `HOST` | `127.0.0.1` | interface every service binds (`0.0.0.0` in a container) |
/// | `GATEWAY_PORT` | `3000` | gateway port (`0` = any free port) |
/// | `AUTH_PORT` | `3001` | auth service port |
/// | `EVENT_PORT` | `3002` | event service port |
/// | `AUTH_URL` | `http://127.0.0.1:3001` | the gateway's upstream for auth |
/// | `EVENT_URL` | `http://127.0.0.1:3002` | the gateway's upstream for event |
/// | `MONGODB_URI` | `mongodb://127.0.0.1:27017` | MongoDB connection string (options in it win over the timeouts below) |
/// | `AUTH_DATABASE` | `auth` | auth's database |
/// | `EVENT_DATABASE` | `event` | event's database |
/// | `MONGODB_MAX_POOL_SIZE` | `16` | connections (and concurrent operations) per service, 1–1000 |
/// | `MONGODB_SERVER_SELECTION_TIMEOUT_MS` | `5000` | how long an operation waits for a usable server |
/// | `MONGODB_CONNECT_TIMEOUT_MS` | `2000` | how long opening a connection may take |
/// | `MONGODB_SOCKET_TIMEOUT_MS` | `10000` | how long a command may wait for its reply |
/// | `LOG_LEVEL` | `info` | `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` |
/// | `LOG_FORMAT` | `json` | `json` (one object per line) or `text` |
///
/// An unset or blank variable takes its default. Names are case-sensitive; values of
/// `LOG_LEVEL` and `LOG_FORMAT` are not.
public struct PlatformConfiguration: Sendable, Equatable {
    /// The gateway.
    public var gateway: GatewayConfiguration
    /// The auth service (database `AUTH_DATABASE`).
    public var auth: ServiceConfiguration
    /// The event service (database `EVENT_DATABASE`).
    public var event: ServiceConfiguration
    /// Process-wide logging.
    public var logging: LoggingConfiguration

    /// Creates a configuration from its parts.
    public init(
        gateway: GatewayConfiguration,
        auth: ServiceConfiguration,
        event: ServiceConfiguration,
        logging: LoggingConfiguration
    ) {
        self.gateway = gateway
        self.auth = auth
        self.event = event
        self.logging = logging
    }

    /// Reads the configuration from environment variables (the table above).
    /// - Parameter environment: The variables, e.g. `ProcessInfo.processInfo.environment`
    ///   in the CLI or a literal dictionary in tests.
    /// - Throws: `ConfigurationError` naming the first variable that is malformed or out of
    ///   range (a port that is not 0…65535, a timeout that is not a positive integer, an
    ///   unknown log level or format, a URL without `http(s)://`, …).
    public init(environment: [String: String]) throws(ConfigurationError) {
        let reader = EnvironmentReader(environment: environment)
        let host = try reader.host("HOST", default: "127.0.0.1")
        let logging = LoggingConfiguration(
            level: try reader.logLevel("LOG_LEVEL", default: .info),
            format: try reader.logFormat("LOG_FORMAT", default: .json)
        )
        let mongoURI = try reader.mongoURI("MONGODB_URI", default: "mongodb://127.0.0.1:27017")
        let maxPoolSize = try reader.integer(
            "MONGODB_MAX_POOL_SIZE", default: 16, in: 1...1000, expected: "a pool size 1…1000")
        let serverSelectionTimeout = try reader.milliseconds("MONGODB_SERVER_SELECTION_TIMEOUT_MS", default: 5000)
        let connectTimeout = try reader.milliseconds("MONGODB_CONNECT_TIMEOUT_MS", default: 2000)
        let socketTimeout = try reader.milliseconds("MONGODB_SOCKET_TIMEOUT_MS", default: 10000)

        func mongo(appName: String) -> MongoClientConfiguration {
            MongoClientConfiguration(
                uri: mongoURI,
                maxPoolSize: maxPoolSize,
                serverSelectionTimeout: serverSelectionTimeout,
                connectTimeout: connectTimeout,
                socketTimeout: socketTimeout,
                appName: appName
            )
        }

        self.init(
            gateway: GatewayConfiguration(
                http: HTTPServerConfiguration(host: host, port: try reader.port("GATEWAY_PORT", default: 3000)),
                authURL: try reader.httpURL("AUTH_URL", default: "http://127.0.0.1:3001"),
                eventURL: try reader.httpURL("EVENT_URL", default: "http://127.0.0.1:3002"),
                logLevel: logging.level
            ),
            auth: ServiceConfiguration(
                http: HTTPServerConfiguration(host: host, port: try reader.port("AUTH_PORT", default: 3001)),
                mongo: mongo(appName: "event-reward-auth"),
                databaseName: try reader.databaseName("AUTH_DATABASE", default: "auth"),
                logLevel: logging.level
            ),
            event: ServiceConfiguration(
                http: HTTPServerConfiguration(host: host, port: try reader.port("EVENT_PORT", default: 3002)),
                mongo: mongo(appName: "event-reward-event"),
                databaseName: try reader.databaseName("EVENT_DATABASE", default: "event"),
                logLevel: logging.level
            ),
            logging: logging
        )
    }
}
