import ArgumentParser
import AuthService
import Logging
import MongoKit
import PlatformCore
import ServiceLifecycle

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
        let parts = try await AuthParts(configuration, logger: logger)
        try await Launcher.run(servers: [parts.application], resources: parts.resources, logger: logger)
    }
}

/// The auth service with what it needs to run: its MongoDB pool, the password hasher's
/// threads, the background preparation of its database (indexes, admin bootstrap), and the
/// outbox relay that delivers logins and staff actions to the event service (`EVENT_URL`).
struct AuthParts {
    let application: any Service
    /// Run before the application, so they stop after it: the pool last.
    let resources: [any Service]

    /// - Throws: `ExitCode` 78 for an unusable `MONGODB_URI` or signing key;
    ///   `ExitCode.failure` when the API routes cannot be registered.
    init(_ configuration: PlatformConfiguration, logger: Logger) async throws {
        let pool = try Launcher.makePool(configuration.auth, service: "auth")
        let core: AuthCore
        do {
            core = try await AuthCore.make(
                settings: configuration.authSettings, database: pool.database(configuration.auth.databaseName),
                logger: logger)
        } catch {
            Launcher.printError("configuration error: \(error)")
            throw Launcher.configurationErrorExitCode
        }
        do {
            application = try buildAuthApplication(
                configuration: configuration.auth,
                pool: pool,
                core: core,
                metrics: MetricsRoute(registry: MetricsBootstrap.processRegistry),
                logger: logger,
                onServerRunning: Launcher.announce("auth", logger: logger)
            )
        } catch {
            Launcher.printError("cannot register the auth routes: \(error)")
            throw ExitCode.failure
        }
        resources = [
            pool, core.hasher, AuthDatabasePreparer(core: core, logger: logger),
            OutboxRelay(core: core, logger: logger),
        ]
    }
}
