import ArgumentParser
import Gateway
import Logging
import PlatformCore
import ServiceLifecycle

/// `event-reward gateway`: the public entry point (default port 3000).
struct GatewayCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "gateway",
        abstract: "Run the gateway (GATEWAY_PORT, default 3000)."
    )

    @OptionGroup var options: PortOption

    func run() async throws {
        var configuration = try Launcher.loadConfiguration()
        if let port = options.port { configuration.gateway.http.port = port }
        let logger = Launcher.logger(for: "gateway", configuration)
        let parts = try GatewayParts(configuration.gateway, logger: logger)
        try await Launcher.run(servers: [parts.application], resources: parts.resources, logger: logger)
    }
}

/// The gateway with what it needs to run: its HTTP client and the JWKS refresher that keeps
/// its verifying keys in step with auth, both as services, and the process's metrics
/// registry (bootstrapped as the swift-metrics backend).
struct GatewayParts {
    let application: any Service
    /// Run before the application, so they stop after it: the client last.
    let resources: [any Service]

    /// - Throws: `ExitCode` 78 when the bundled contract cannot be used.
    init(_ configuration: GatewayConfiguration, logger: Logger) throws {
        let registry = MetricsBootstrap.processRegistry
        let tokenMetrics = TokenVerificationMetrics(registry: registry, namespace: "gateway")
        let httpClient = GatewayHTTPClient.make(configuration: configuration)
        let refresher = JWKSRefresher(
            configuration: JWKSRefresher.Configuration(url: configuration.jwksURL),
            httpClient: httpClient, logger: logger)
        do {
            application = try buildGatewayApplication(
                configuration: configuration,
                verifier: refresher.verifier(
                    expectations: configuration.tokenExpectations,
                    cache: configuration.makeTokenCache(metrics: tokenMetrics), metrics: tokenMetrics,
                    failureBudget: configuration.makeTokenFailureBudget()),
                httpClient: httpClient,
                metrics: registry,
                keysAvailable: { refresher.hasKeys },
                logger: logger,
                onServerRunning: Launcher.announce("gateway", logger: logger)
            )
        } catch {
            Launcher.printError("configuration error: openapi.yaml: \(error)")
            throw Launcher.configurationErrorExitCode
        }
        resources = [HTTPClientService(client: httpClient), refresher]
    }
}
