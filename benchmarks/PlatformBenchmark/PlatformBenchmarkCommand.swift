import ArgumentParser

/// The root command: one subcommand per scenario.
struct PlatformBenchmarkCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "PlatformBenchmark",
        abstract: "Load scenarios of benchmarks/run: claims, progress, logins.",
        subcommands: [ClaimsCommand.self, ProgressCommand.self, LoginStormCommand.self]
    )
}

/// Where the event service and its database are, and the key its tokens are signed with.
struct EventEndpoint: ParsableArguments {
    @Option(help: "The event service's base URL, e.g. http://127.0.0.1:3002.")
    var eventURL: String

    @Option(help: "The MongoDB the event service uses (the benchmark reads and seeds it).")
    var mongoURI: String

    @Option(help: "The event service's database (EVENT_DATABASE).")
    var eventDatabase: String

    @Option(help: "PEM file of auth's ES256 signing key (JWT_PRIVATE_KEY): the benchmark mints tokens.")
    var keyFile: String

    @Option(help: "The key's kid (JWT_KEY_ID).")
    var keyID: String = "bench"

    @Option(help: "The MongoDB test double's process id: its CPU time is read around each timed run.")
    var doublePid: Int32?

    @Option(help: "The event service's process id: its CPU time is read around each timed run.")
    var servicePid: Int32?
}

/// A benchmark that cannot go on (setup refused, unexpected answer).
struct BenchmarkError: Error, CustomStringConvertible {
    let description: String

    init(_ description: String) {
        self.description = description
    }
}
