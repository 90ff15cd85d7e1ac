import ArgumentParser
import Logging
import MongoKit
import PlatformCore
import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// What every subcommand does the same way: read the environment once, set up logging,
/// create pools, run one service group, turn failures into one line and an exit code.
enum Launcher {
    /// Exit status for a configuration error (`EX_CONFIG` of sysexits.h).
    static let configurationErrorExitCode = ExitCode(78)

    /// Reads the environment — the only place the process does — and bootstraps logging.
    /// - Throws: `ExitCode` 78 after printing one line naming the variable at fault.
    static func loadConfiguration() throws -> PlatformConfiguration {
        let configuration: PlatformConfiguration
        do {
            configuration = try PlatformConfiguration(environment: ProcessInfo.processInfo.environment)
        } catch {
            printError("configuration error: \(error)")
            throw configurationErrorExitCode
        }
        PlatformLogging.bootstrap(configuration.logging)
        return configuration
    }

    /// A logger for `label` at the configured level.
    static func logger(for label: String, _ configuration: PlatformConfiguration) -> Logger {
        Logger(label: label, level: configuration.logging.level)
    }

    /// The MongoDB client pool of a service (connections open lazily).
    /// - Throws: `ExitCode` 78 when the connection string or pool options are refused.
    static func makePool(_ configuration: ServiceConfiguration, service: String) throws -> MongoClientPool {
        var logger = Logger(label: "mongokit", level: configuration.logLevel)
        logger[metadataKey: "service"] = .string(service)
        do {
            return try MongoClientPool(configuration: configuration.mongo, logger: logger)
        } catch {
            // libmongoc's message may quote the connection string, password included.
            printError("configuration error: MONGODB_URI: not a usable MongoDB connection string")
            throw configurationErrorExitCode
        }
    }

    /// Logs the bound port once a server listens.
    static func announce(_ service: String, logger: Logger) -> ServerRunningHandler {
        { port in
            logger.info("server listening", metadata: ["service": .string(service), "port": .stringConvertible(port)])
        }
    }

    /// Runs the servers and their resources until SIGTERM/SIGINT (then returns, exit 0).
    /// - Throws: `ExitCode.failure` after printing one line when a service fails (e.g. its
    ///   port is taken).
    static func run(servers: [any Service], resources: [any Service], logger: Logger) async throws {
        let group = PlatformServiceGroup.make(servers: servers, resources: resources, logger: logger)
        do {
            try await group.run()
        } catch {
            logger.critical("service group failed", metadata: ["error.description": .string(String(describing: error))])
            printError("stopped: \(error)")
            throw ExitCode.failure
        }
        logger.info("shut down gracefully")
    }

    /// Writes `event-reward: <message>` as one line on standard error.
    static func printError(_ message: String) {
        let line = "event-reward: " + message.split(whereSeparator: \.isNewline).joined(separator: " ") + "\n"
        _ = Array(line.utf8).withUnsafeBytes { bytes in
            write(2, bytes.baseAddress, bytes.count)
        }
    }
}
