public import Logging

/// Everything the gateway is built from. It holds no database configuration: the gateway
/// never talks to MongoDB.
public struct GatewayConfiguration: Sendable, Equatable {
    /// Where the gateway listens.
    public var http: HTTPServerConfiguration
    /// The auth service's base URL, without a trailing slash (e.g. `http://127.0.0.1:3001`).
    public var authURL: String
    /// The event service's base URL, without a trailing slash.
    public var eventURL: String
    /// The least severe level the gateway logs.
    public var logLevel: Logger.Level

    /// Creates a gateway configuration.
    /// - Parameters:
    ///   - http: Where the gateway listens.
    ///   - authURL: The auth service's base URL.
    ///   - eventURL: The event service's base URL.
    ///   - logLevel: The least severe level it logs.
    public init(
        http: HTTPServerConfiguration,
        authURL: String = "http://127.0.0.1:3001",
        eventURL: String = "http://127.0.0.1:3002",
        logLevel: Logger.Level = .info
    ) {
        self.http = http
        self.authURL = authURL
        self.eventURL = eventURL
        self.logLevel = logLevel
    }
}
