public import Logging
public import ServiceLifecycle

/// Prepares the auth database (indexes, admin bootstrap) in the background, so the service
/// serves `/health` (and answers `/health/ready` with 503) while MongoDB is still
/// unreachable: it retries with backoff until it succeeds, then waits for shutdown. Until
/// then readiness reports `authDatabase: down`.
public struct AuthDatabasePreparer: Service {
    private let core: AuthCore
    private let logger: Logger
    private let maximumBackoff: Duration

    /// - Parameters:
    ///   - core: The auth core whose database to prepare.
    ///   - logger: Where failed attempts are reported.
    ///   - maximumBackoff: The longest pause between attempts (5 s by default).
    public init(core: AuthCore, logger: Logger, maximumBackoff: Duration = .seconds(5)) {
        self.core = core
        self.logger = logger
        self.maximumBackoff = maximumBackoff
    }

    /// Retries until prepared (or shutdown), then waits for graceful shutdown: returning
    /// early would end the whole service group.
    public func run() async throws {
        var pause = Duration.milliseconds(250)
        while !core.isDatabasePrepared && !Task.isShuttingDownGracefully && !Task.isCancelled {
            do {
                try await core.prepareDatabase(logger: logger, attempts: 1)
            } catch {
                logger.warning(
                    "auth database not prepared; retrying",
                    metadata: ["error.description": .string(String(describing: error).prefix(300).description)])
                try? await cancelWhenGracefulShutdown { [pause] in try await Task.sleep(for: pause) }
                pause = min(pause * 2, maximumBackoff)
            }
        }
        try? await gracefulShutdown()
    }
}
