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
/// | `GATEWAY_CONNECT_TIMEOUT_MS` | `1000` | how long the gateway may take to connect to an upstream |
/// | `GATEWAY_READ_TIMEOUT_MS` | `10000` | how long an upstream may stay silent before the gateway answers 504 |
/// | `GATEWAY_EVENT_LOOP_PROXY` | `true` | `false` sends every request through the router and the HTTP client (same answers, slower) |
/// | `GATEWAY_WIRE_PATH` | `true` | `false` starts every client connection behind NIO's HTTP codec instead of the byte-level path (same answers, slower) |
/// | `GATEWAY_TOKEN_CACHE_SIZE` | `10000` | verified access tokens the gateway remembers (each for at most 30 s, never past its `exp`), 0–1000000 (`0` verifies every request) |
/// | `GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP` | `64` | connections each gateway event loop may hold to each upstream, per path of its event-loop proxy, 1–1000 |
/// | `GATEWAY_TOKEN_FAILURE_LIMIT` | `20` | forged access tokens (malformed, bad signature, wrong issuer or audience) one client address may send per window before its uncached tokens get 429 unchecked, 0–1000000 (`0`: no limit) |
/// | `GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS` | `60` | that window, 1–86400 |
/// | `GATEWAY_IDLE_TIMEOUT_SECONDS` | `75` | a client connection owed no answer is closed one to two times this long after its last activity, 0–86400 (`0`: never) |
/// | `MONGODB_URI` | `mongodb://127.0.0.1:27017` | MongoDB connection string; its `serverSelectionTimeoutMS`, `connectTimeoutMS` and `socketTimeoutMS` win over the three timeouts below, while a `maxPoolSize` or `waitQueueTimeoutMS` in it is not used (`MONGODB_MAX_POOL_SIZE` and `MONGODB_WAIT_QUEUE_TIMEOUT_MS` always apply) |
/// | `AUTH_DATABASE` | `auth` | auth's database |
/// | `EVENT_DATABASE` | `event` | event's database |
/// | `MONGODB_MAX_POOL_SIZE` | `16` | connections (and concurrent operations) per service, 1–1000 |
/// | `MONGODB_SERVER_SELECTION_TIMEOUT_MS` | `5000` | how long an operation waits for a usable server |
/// | `MONGODB_CONNECT_TIMEOUT_MS` | `2000` | how long opening a connection may take |
/// | `MONGODB_SOCKET_TIMEOUT_MS` | `10000` | how long a command may wait for its reply |
/// | `MONGODB_WAIT_QUEUE_TIMEOUT_MS` | `10000` | how long an operation may wait for a free pooled connection before it fails (504); the gateway's read timeout by default, so a request nobody waits for any more is not started |
/// | `LOG_LEVEL` | `info` | `trace`, `debug`, `info`, `notice`, `warning`, `error` or `critical` |
/// | `LOG_FORMAT` | `json` | `json` (one object per line) or `text` |
/// | `CLAIM_RETRY_INTERVAL_MS` | `1000` | how often the event service looks for PENDING claims to retry |
/// | `CLAIM_RETRY_BACKOFF_MS` | `2000` | delay before a claim's second attempt; doubles per attempt (at most 64×) |
/// | `CLAIM_MAX_ATTEMPTS` | `10` | attempts (the claim request included) before a PENDING claim becomes FAILED, 1–1000 |
/// | `EVENT_AUTO_COMPLETE_INTERVAL_MS` | `30000` | how often ACTIVE events past their `endAt` are completed |
/// | `WORKER_LEASE_MS` | `30000` | how long a worker owns a claim or a sweep before another replica may take over |
/// | `JWT_PRIVATE_KEY` | generated | auth's ES256 (P-256) signing key, PEM; unset → a development key is generated at start (warning logged) |
/// | `JWT_PRIVATE_KEY_FILE` | — | a file holding that PEM instead (e.g. a Docker secret); not together with `JWT_PRIVATE_KEY` |
/// | `JWT_KEY_ID` | key thumbprint | the `kid` of auth's tokens; unset → the key's RFC 7638 thumbprint |
/// | `JWT_PREVIOUS_PUBLIC_KEYS` | none | a JWK set (`{"keys":[…]}`) of earlier signing keys, still published and accepted during rotation |
/// | `JWT_PREVIOUS_PUBLIC_KEYS_FILE` | — | a file holding that JWK set instead |
/// | `ACCESS_TOKEN_TTL_SECONDS` | `900` | lifetime of a user's access token, 60–86400 |
/// | `REFRESH_TOKEN_TTL_SECONDS` | `1209600` | lifetime of a refresh token (14 days; each rotation starts anew), 300–31536000 |
/// | `SERVICE_TOKEN_TTL_SECONDS` | `300` | lifetime of a SERVICE token (client credentials, auth's outbox relay), 30–3600 |
/// | `BCRYPT_COST` | `12` | bcrypt cost of password hashes, 4–31 (keep ≥ 12 in production) |
/// | `ADMIN_EMAIL` | none | email of the ADMIN created at auth start when no admin exists (with `ADMIN_PASSWORD`) |
/// | `ADMIN_PASSWORD` | none | that admin's password, 10–72 bytes; never logged |
/// | `LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS` | `5` | failed logins allowed per email and window, then 429 |
/// | `LOGIN_RATE_LIMIT_EMAIL_WINDOW_SECONDS` | `900` | the per-email window |
/// | `LOGIN_RATE_LIMIT_IP_ATTEMPTS` | `50` | failed logins allowed per client IP and window, then 429 |
/// | `LOGIN_RATE_LIMIT_IP_WINDOW_SECONDS` | `900` | the per-IP window |
///
/// `EVENT_URL` is also where auth's outbox relay delivers LOGIN activities and audit entries.
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
    /// The event service's background workers (claim retry, auto-complete).
    public var eventWorkers: EventWorkersConfiguration
    /// The auth service's keys, token lifetimes, bcrypt cost, admin bootstrap, login rate
    /// limits and outbox relay target.
    public var authSettings: AuthSettings

    /// Creates a configuration from its parts.
    public init(
        gateway: GatewayConfiguration,
        auth: ServiceConfiguration,
        event: ServiceConfiguration,
        logging: LoggingConfiguration,
        eventWorkers: EventWorkersConfiguration = EventWorkersConfiguration(),
        authSettings: AuthSettings = AuthSettings()
    ) {
        self.gateway = gateway
        self.auth = auth
        self.event = event
        self.logging = logging
        self.eventWorkers = eventWorkers
        self.authSettings = authSettings
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
        let idleSeconds = try reader.integer(
            "GATEWAY_IDLE_TIMEOUT_SECONDS", default: 75, in: 0...86_400, expected: "a number of seconds 0…86400")
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
        let waitQueueTimeout = try reader.milliseconds("MONGODB_WAIT_QUEUE_TIMEOUT_MS", default: 10000)

        func mongo(appName: String) -> MongoClientConfiguration {
            MongoClientConfiguration(
                uri: mongoURI,
                maxPoolSize: maxPoolSize,
                serverSelectionTimeout: serverSelectionTimeout,
                connectTimeout: connectTimeout,
                socketTimeout: socketTimeout,
                waitQueueTimeout: waitQueueTimeout,
                appName: appName
            )
        }

        self.init(
            gateway: GatewayConfiguration(
                http: HTTPServerConfiguration(host: host, port: try reader.port("GATEWAY_PORT", default: 3000)),
                authURL: try reader.httpURL("AUTH_URL", default: "http://127.0.0.1:3001"),
                eventURL: try reader.httpURL("EVENT_URL", default: "http://127.0.0.1:3002"),
                logLevel: logging.level,
                connectTimeout: try reader.milliseconds("GATEWAY_CONNECT_TIMEOUT_MS", default: 1000),
                readTimeout: try reader.milliseconds("GATEWAY_READ_TIMEOUT_MS", default: 10000),
                tokenCacheSize: try reader.integer(
                    "GATEWAY_TOKEN_CACHE_SIZE", default: 10_000, in: 0...1_000_000,
                    expected: "a number of tokens 0…1000000"),
                proxiesOnEventLoop: try reader.boolean("GATEWAY_EVENT_LOOP_PROXY", default: true),
                usesWirePath: try reader.boolean("GATEWAY_WIRE_PATH", default: true),
                upstreamConnectionsPerLoop: try reader.integer(
                    "GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP", default: 64, in: 1...1000,
                    expected: "a number of connections 1…1000"),
                tokenFailureLimit: try reader.integer(
                    "GATEWAY_TOKEN_FAILURE_LIMIT", default: 20, in: 0...1_000_000,
                    expected: "a number of tokens 0…1000000"),
                tokenFailureWindowSeconds: try reader.integer(
                    "GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS", default: 60, in: 1...86_400,
                    expected: "a number of seconds 1…86400"),
                idleTimeout: idleSeconds == 0 ? nil : .seconds(idleSeconds)
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
            logging: logging,
            eventWorkers: EventWorkersConfiguration(
                claimRetryInterval: try reader.milliseconds("CLAIM_RETRY_INTERVAL_MS", default: 1000),
                claimRetryBackoff: try reader.milliseconds("CLAIM_RETRY_BACKOFF_MS", default: 2000),
                claimMaxAttempts: try reader.integer(
                    "CLAIM_MAX_ATTEMPTS", default: 10, in: 1...1000, expected: "a number of attempts 1…1000"),
                autoCompleteInterval: try reader.milliseconds("EVENT_AUTO_COMPLETE_INTERVAL_MS", default: 30000),
                leaseDuration: try reader.milliseconds("WORKER_LEASE_MS", default: 30000)
            ),
            authSettings: try AuthSettings(
                reader: reader, eventURL: try reader.httpURL("EVENT_URL", default: "http://127.0.0.1:3002"))
        )
    }
}
