public import Logging

/// Everything the gateway is built from. It holds no database configuration: the gateway
/// never talks to MongoDB.
public struct GatewayConfiguration: Sendable, Equatable {
    /// The largest request body the gateway forwards by default: 1 MiB.
    public static let defaultMaximumBodySize = 1 << 20

    /// Where the gateway listens.
    public var http: HTTPServerConfiguration
    /// The auth service's base URL, without a trailing slash (e.g. `http://127.0.0.1:3001`).
    public var authURL: String
    /// The event service's base URL, without a trailing slash.
    public var eventURL: String
    /// The least severe level the gateway logs.
    public var logLevel: Logger.Level
    /// How long opening a connection to an upstream may take (`GATEWAY_CONNECT_TIMEOUT_MS`).
    public var connectTimeout: Duration
    /// How long an upstream may stay silent while the gateway waits for its answer
    /// (`GATEWAY_READ_TIMEOUT_MS`); then the client gets 504.
    public var readTimeout: Duration
    /// How long each upstream's `/health` may take in `/health/ready`.
    public var readinessTimeout: Duration
    /// The largest request body forwarded, in bytes; a larger one is answered 413.
    public var maximumBodySize: Int
    /// The issuer and audience access tokens must carry.
    public var tokenExpectations: TokenExpectations
    /// How many verified tokens the gateway remembers (`VerifiedTokenCache`), so a client
    /// reusing its token is verified once; `0` verifies every request
    /// (`GATEWAY_TOKEN_CACHE_SIZE`).
    public var tokenCacheSize: Int

    /// Whether the common case of a proxied request (a matched route, a public one or a
    /// cached token with the role, a body of declared size under the limit) is forwarded on
    /// the connection's event loop, over a per-loop upstream connection pool, instead of
    /// through the router and the HTTP client (`GATEWAY_EVENT_LOOP_PROXY`). The answers are
    /// the same; only the cost differs. `true` by default.
    public var proxiesOnEventLoop: Bool

    /// Whether the event-loop proxy starts each client connection on its byte-level path,
    /// which reads request heads and upstream answers from the bytes with no HTTP codec,
    /// until the first request it does not take (`GATEWAY_WIRE_PATH`). Only with
    /// `proxiesOnEventLoop`. The answers are the same; only the cost differs. `true` by
    /// default.
    public var usesWirePath: Bool

    /// How many connections each of the gateway's event loops may hold to each upstream, for
    /// each path of its event-loop proxy; at the limit, the byte-level path's requests wait
    /// for a free one (the codec path's go through the router). 64 by default
    /// (`GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP`).
    public var upstreamConnectionsPerLoop: Int

    /// How many forged tokens (malformed, a bad signature, the wrong issuer or audience) one
    /// client address may send per `tokenFailureWindowSeconds` before its tokens the cache
    /// does not hold are answered 429 unchecked until the window ends
    /// (`TokenFailureBudget`); `0` allows any number (`GATEWAY_TOKEN_FAILURE_LIMIT`). 20 by
    /// default.
    public var tokenFailureLimit: Int
    /// The window of `tokenFailureLimit`, in seconds (`GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS`).
    /// 60 by default.
    public var tokenFailureWindowSeconds: Int

    /// How long a client connection owed no answer may stay silent before the gateway closes
    /// it — at one to two times this after its last activity (`GATEWAY_IDLE_TIMEOUT_SECONDS`);
    /// `nil` keeps it open. 75 s by default (nginx's `keepalive_timeout`). A connection
    /// waiting for an answer is never closed for silence; the upstream timeouts bound that.
    public var idleTimeout: Duration?

    /// Creates a gateway configuration.
    /// - Parameters:
    ///   - http: Where the gateway listens.
    ///   - authURL: The auth service's base URL.
    ///   - eventURL: The event service's base URL.
    ///   - logLevel: The least severe level it logs.
    ///   - connectTimeout: The upstream connect timeout; 1 s by default.
    ///   - readTimeout: The upstream read timeout; 10 s by default.
    ///   - readinessTimeout: The timeout of each upstream readiness probe; 1 s by default.
    ///   - maximumBodySize: The body limit in bytes; 1 MiB by default.
    ///   - tokenExpectations: The issuer and audience of access tokens.
    ///   - tokenCacheSize: Verified tokens remembered; 10,000 by default, 0 for none.
    ///   - proxiesOnEventLoop: Whether the event-loop proxy serves the common case; `true`
    ///     by default.
    ///   - usesWirePath: Whether the event-loop proxy reads requests as bytes first; `true`
    ///     by default.
    ///   - upstreamConnectionsPerLoop: Connections per event loop, upstream and path; 64 by
    ///     default.
    ///   - tokenFailureLimit: Forged tokens one client address may send per window; 20 by
    ///     default, 0 for any number.
    ///   - tokenFailureWindowSeconds: That window; 60 s by default.
    ///   - idleTimeout: When a silent client connection is closed; 75 s by default, `nil` for
    ///     never.
    public init(
        http: HTTPServerConfiguration,
        authURL: String = "http://127.0.0.1:3001",
        eventURL: String = "http://127.0.0.1:3002",
        logLevel: Logger.Level = .info,
        connectTimeout: Duration = .milliseconds(1000),
        readTimeout: Duration = .milliseconds(10000),
        readinessTimeout: Duration = .seconds(1),
        maximumBodySize: Int = GatewayConfiguration.defaultMaximumBodySize,
        tokenExpectations: TokenExpectations = TokenExpectations(),
        tokenCacheSize: Int = 10_000,
        proxiesOnEventLoop: Bool = true,
        usesWirePath: Bool = true,
        upstreamConnectionsPerLoop: Int = 64,
        tokenFailureLimit: Int = 20,
        tokenFailureWindowSeconds: Int = 60,
        idleTimeout: Duration? = .seconds(75)
    ) {
        self.http = http
        self.authURL = authURL
        self.eventURL = eventURL
        self.logLevel = logLevel
        self.connectTimeout = connectTimeout
        self.readTimeout = readTimeout
        self.readinessTimeout = readinessTimeout
        self.maximumBodySize = maximumBodySize
        self.tokenExpectations = tokenExpectations
        self.tokenCacheSize = tokenCacheSize
        self.proxiesOnEventLoop = proxiesOnEventLoop
        self.usesWirePath = usesWirePath
        self.upstreamConnectionsPerLoop = upstreamConnectionsPerLoop
        self.tokenFailureLimit = tokenFailureLimit
        self.tokenFailureWindowSeconds = tokenFailureWindowSeconds
        self.idleTimeout = idleTimeout
    }

    /// A token cache of `tokenCacheSize`, or `nil` when it is 0.
    /// - Parameter metrics: Counts the times the full cache is emptied; `nil` by default.
    public func makeTokenCache(metrics: TokenVerificationMetrics? = nil) -> VerifiedTokenCache? {
        tokenCacheSize > 0 ? VerifiedTokenCache(capacity: tokenCacheSize, metrics: metrics) : nil
    }

    /// A budget of `tokenFailureLimit` failed checks per client address and window, or
    /// `nil` when the limit is 0.
    public func makeTokenFailureBudget() -> TokenFailureBudget? {
        tokenFailureLimit > 0
            ? TokenFailureBudget(limit: tokenFailureLimit, windowSeconds: tokenFailureWindowSeconds) : nil
    }

    /// Where auth publishes its public keys: `authURL` + `/.well-known/jwks.json`.
    public var jwksURL: String { authURL + "/.well-known/jwks.json" }
}
