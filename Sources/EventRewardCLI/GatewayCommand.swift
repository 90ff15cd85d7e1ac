import ArgumentParser
import Gateway
import PlatformCore

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
        let application = buildGatewayApplication(
            configuration: configuration.gateway,
            logger: logger,
            onServerRunning: Launcher.announce("gateway", logger: logger)
        )
        try await Launcher.run(servers: [application], resources: [], logger: logger)
    }
}
