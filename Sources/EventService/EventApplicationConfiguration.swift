public import PlatformCore

/// Everything the event service is built from besides its connections: where it listens
/// and its database (`service`), its background workers, and test hooks.
public struct EventApplicationConfiguration: Sendable {
    /// Where to listen, the database, the log level.
    public var service: ServiceConfiguration
    /// Claim retry and auto-complete workers.
    public var workers: EventWorkersConfiguration
    /// Whether the application runs its background workers as services (tests that drive
    /// the workers by hand turn this off).
    public var runsBackgroundWorkers: Bool
    /// Stops claims at chosen points in tests; `NoClaimFaults` in production.
    public var faultInjector: any ClaimFaultInjector
    /// The largest request body accepted (413 `PAYLOAD_TOO_LARGE` beyond): 1 MiB, as at
    /// the gateway, so a direct caller cannot make the service buffer more.
    public var maximumBodySize: Int = 1 << 20

    /// Creates the configuration.
    /// - Parameters:
    ///   - service: Where to listen, the database, the log level.
    ///   - workers: The background workers' intervals, backoff and lease.
    ///   - runsBackgroundWorkers: Run the workers (default `true`).
    ///   - faultInjector: The claim fault hook (default: none).
    public init(
        service: ServiceConfiguration,
        workers: EventWorkersConfiguration = EventWorkersConfiguration(),
        runsBackgroundWorkers: Bool = true,
        faultInjector: any ClaimFaultInjector = NoClaimFaults()
    ) {
        self.service = service
        self.workers = workers
        self.runsBackgroundWorkers = runsBackgroundWorkers
        self.faultInjector = faultInjector
    }
}
