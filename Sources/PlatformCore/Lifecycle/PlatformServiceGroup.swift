public import Logging
public import ServiceLifecycle
import UnixSignals

/// How the platform's processes run: one `ServiceGroup` per process.
public enum PlatformServiceGroup {
    /// A group that runs `resources` and `servers` until SIGTERM or SIGINT, then shuts them
    /// down gracefully: servers first (in reverse order, so the last server stops accepting
    /// requests first), then resources such as `MongoClientPool`s, once no request can use
    /// them any more.
    ///
    /// A service that returns or throws on its own ends the whole group; graceful shutdown
    /// taking longer than `maximumGracefulShutdownDuration` is escalated to cancellation.
    /// - Parameters:
    ///   - servers: The HTTP applications.
    ///   - resources: What the servers use: client pools and, later, background workers.
    ///   - logger: The group's logger.
    ///   - maximumGracefulShutdownDuration: The bound on graceful shutdown; 30 s by default.
    /// - Returns: The group; `run()` it.
    public static func make(
        servers: [any Service],
        resources: [any Service],
        logger: Logger,
        maximumGracefulShutdownDuration: Duration = .seconds(30)
    ) -> ServiceGroup {
        // ServiceGroup shuts services down in reverse order of this list.
        var configuration = ServiceGroupConfiguration(
            services: resources + servers,
            gracefulShutdownSignals: [.sigterm, .sigint],
            logger: logger
        )
        configuration.maximumGracefulShutdownDuration = maximumGracefulShutdownDuration
        return ServiceGroup(configuration: configuration)
    }
}
