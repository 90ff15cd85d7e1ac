public import Hummingbird

/// Where a service's HTTP server listens.
public struct HTTPServerConfiguration: Sendable, Equatable {
    /// The interface to bind, e.g. `127.0.0.1`, or `0.0.0.0` in a container.
    public var host: String
    /// The TCP port; `0` lets the system choose a free one (tests), which the build
    /// functions report through their `onServerRunning` callback.
    public var port: Int

    /// Creates a listening address.
    /// - Parameters:
    ///   - host: The interface to bind.
    ///   - port: The TCP port, `0` for any free one.
    public init(host: String = "127.0.0.1", port: Int) {
        self.host = host
        self.port = port
    }

    /// Hummingbird's configuration for this address (no `Server` header).
    public var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: nil)
    }
}
