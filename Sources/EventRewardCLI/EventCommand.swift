import ArgumentParser
import EventService
import PlatformCore

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
        let pool = try Launcher.makePool(configuration.event, service: "event")
        let application = buildEventApplication(
            configuration: configuration.event,
            pool: pool,
            logger: logger,
            onServerRunning: Launcher.announce("event", logger: logger)
        )
        try await Launcher.run(servers: [application], resources: [pool], logger: logger)
    }
}
