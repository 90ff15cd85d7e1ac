import ArgumentParser

/// `event-reward`: runs one service of the platform, or all three in one process.
@main
struct EventRewardCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "event-reward",
        abstract: "The event/reward platform: gateway, auth and event services.",
        discussion: """
            Configuration comes from environment variables (HOST, GATEWAY_PORT, AUTH_PORT, \
            EVENT_PORT, MONGODB_URI, LOG_LEVEL, LOG_FORMAT, …; see README). Each service runs \
            until SIGTERM or SIGINT and then shuts down gracefully.
            """,
        subcommands: [
            GatewayCommand.self, AuthCommand.self, EventCommand.self, AllCommand.self, StorageSpecCommand.self,
        ]
    )
}
