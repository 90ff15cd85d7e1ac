import ArgumentParser
import AuthService
import EventService
import Gateway
import PlatformCore

/// `event-reward all`: the three services in one process and one `ServiceGroup`, for local
/// development. Ports come from the environment only.
///
/// Each MongoDB service gets its own client pool, as it would in its own process: its own
/// database, `appName` and connection budget, so one service's load cannot take the
/// other's connections, and behaviour matches the separate deployment.
struct AllCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "all",
        abstract: "Run gateway, auth and event in one process (GATEWAY_PORT, AUTH_PORT, EVENT_PORT)."
    )

    func run() async throws {
        let configuration = try Launcher.loadConfiguration()
        let logger = Launcher.logger(for: "event-reward", configuration)
        let authLogger = Launcher.logger(for: "auth", configuration)
        let eventLogger = Launcher.logger(for: "event", configuration)
        let gatewayLogger = Launcher.logger(for: "gateway", configuration)
        let auth = try await AuthParts(configuration, logger: authLogger)
        let event = try EventParts(configuration, logger: eventLogger)
        let gateway = try GatewayParts(configuration.gateway, logger: gatewayLogger)
        // The gateway last, so that on shutdown it stops taking requests first.
        try await Launcher.run(
            servers: [auth.application, event.application, gateway.application],
            resources: auth.resources + event.resources + gateway.resources,
            logger: logger)
    }
}
