import ArgumentParser
import AuthService
import PlatformCore

/// `event-reward auth`: the auth service (default port 3001, database `auth`).
struct AuthCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "auth",
        abstract: "Run the auth service (AUTH_PORT, default 3001)."
    )

    @OptionGroup var options: PortOption

    func run() async throws {
        var configuration = try Launcher.loadConfiguration()
        if let port = options.port { configuration.auth.http.port = port }
        let logger = Launcher.logger(for: "auth", configuration)
        let pool = try Launcher.makePool(configuration.auth, service: "auth")
        let application = buildAuthApplication(
            configuration: configuration.auth,
            pool: pool,
            logger: logger,
            onServerRunning: Launcher.announce("auth", logger: logger)
        )
        try await Launcher.run(servers: [application], resources: [pool], logger: logger)
    }
}
