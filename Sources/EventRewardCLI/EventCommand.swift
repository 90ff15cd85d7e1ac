import ArgumentParser
import EventService
import Gateway
import Logging
import PlatformCore
import ServiceLifecycle

/// `event-reward event`: the event service (default port 3002, database `event`).
struct EventCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event",
        abstract: "Run the event service (EVENT_PORT, default 3002)."
    )

    @OptionGroup var options: PortOption

    func run() async throws {
        var configuration = try Launcher.loadConfiguration()
        if let port = options.port { configuration.event.http.port = port }
        let logger = Launcher.logger(for: "event", configuration)
        let parts = try EventParts(configuration, logger: logger)
        try await Launcher.run(servers: [parts.application], resources: parts.resources, logger: logger)
    }
}

/// The event service with what it needs to run: its MongoDB pool, and the JWKS refresher
/// (with its HTTP client) that fetches auth's public keys from `AUTH_URL` — with retry at
/// start, so the service comes up before auth does — to verify access tokens.
struct EventParts {
    let application: any Service
    /// Run before the application, so they stop after it: the pool last.
    let resources: [any Service]

    /// - Throws: `ExitCode` 78 for an unusable `MONGODB_URI`; `ExitCode.failure` when the
    ///   API routes cannot be registered.
    init(_ configuration: PlatformConfiguration, logger: Logger) throws {
        // Bootstraps swift-metrics before the service creates its counters.
        let registry = MetricsBootstrap.processRegistry
        let pool = try Launcher.makePool(configuration.event, service: "event")
        // AUTH_URL and the token expectations are the platform's, read into the gateway's part.
        let httpClient = GatewayHTTPClient.make(configuration: configuration.gateway)
        let refresher = JWKSRefresher(
            configuration: JWKSRefresher.Configuration(url: configuration.gateway.jwksURL),
            httpClient: httpClient, logger: logger)
        do {
            application = try buildEventApplication(
                configuration: EventApplicationConfiguration(
                    service: configuration.event, workers: configuration.eventWorkers),
                pool: pool,
                verifier: refresher.verifier(expectations: configuration.gateway.tokenExpectations),
                metrics: MetricsRoute(registry: registry),
                logger: logger,
                onServerRunning: Launcher.announce("event", logger: logger)
            )
        } catch {
            Launcher.printError("event service: cannot register its routes: \(error)")
            throw ExitCode.failure
        }
        resources = [pool, HTTPClientService(client: httpClient), refresher]
    }
}
