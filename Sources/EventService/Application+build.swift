public import Hummingbird
public import Logging
public import MongoKit
import OpenAPIHummingbird
import OpenAPIRuntime
public import PlatformCore

/// Builds the event service (DESIGN §5–§6): events, rewards, activities, condition
/// pipelines, exactly-once claims, the wallet and the audit log, on the generated server
/// of `openapi.yaml`, plus the health routes with MongoDB and the indexes in readiness.
///
/// Every API route verifies the bearer token with `verifier` and checks its operation's
/// `x-roles`. The application also runs, as services: index creation (retried until
/// MongoDB answers; the API refuses claims and activity writes with 503 until the unique
/// indexes exist), and — when `configuration.runsBackgroundWorkers` — the claim retry and
/// auto-complete workers.
///
/// The caller owns `pool`: run it in the same `ServiceGroup`, before the application, so it
/// closes after the server and the workers (`PlatformServiceGroup.make`).
/// - Parameters:
///   - configuration: Where to listen, the database, the workers, test hooks.
///   - pool: The MongoDB client pool.
///   - verifier: Verifies access tokens with auth's public keys.
///   - metrics: `GET /metrics` over the process's registry (none when `nil`).
///   - logger: The application's logger; by default one labelled `event` at the configured level.
///   - onServerRunning: Told the bound port once the server listens (tests bind port 0).
/// - Returns: The application; run it as a `Service`.
/// - Throws: When the generated routes cannot be registered (a programming error).
public func buildEventApplication(
    configuration: EventApplicationConfiguration,
    pool: MongoClientPool,
    verifier: TokenVerifier,
    metrics: MetricsRoute<PlatformRequestContext>? = nil,
    logger: Logger? = nil,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) throws -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "event", level: configuration.service.logLevel)
    let components = EventServiceComponents(
        configuration: configuration, database: pool.database(configuration.service.databaseName), logger: logger,
        clock: .system)
    return try buildEventApplication(
        components: components, configuration: configuration, pool: pool, verifier: verifier, metrics: metrics,
        logger: logger, onServerRunning: onServerRunning)
}

/// The application around already wired components (tests pass their own clock).
func buildEventApplication(
    components: EventServiceComponents,
    configuration: EventApplicationConfiguration,
    pool: MongoClientPool,
    verifier: TokenVerifier,
    metrics: MetricsRoute<PlatformRequestContext>? = nil,
    logger: Logger,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) throws -> Application<RouterResponder<PlatformRequestContext>> {
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    let indexes = components.indexes
    HealthRoutes(checks: [
        .mongoDB(pool),
        ReadinessCheck(name: "indexes") { try indexes.requireReady() },
    ]).addRoutes(to: router)
    metrics?.addRoutes(to: router)
    // Every API operation needs a token: refuse anonymous calls before a body is decoded.
    router.add(middleware: AuthenticationMiddleware(verifier: verifier, allowsAnonymous: { _ in false }))
    router.add(middleware: BodyLimitMiddleware(maximumBytes: configuration.maximumBodySize))
    try components.api.registerHandlers(
        on: router, configuration: Configuration(dateTranscoder: RFC3339DateTranscoder()))

    var application = Application(
        platformRouter: router, http: configuration.service.http, logger: logger, onServerRunning: onServerRunning)
    application.beforeServerStarts {
        await indexes.createOnce()
    }
    application.addServices(indexes)
    if configuration.runsBackgroundWorkers {
        application.addServices(
            components.retryWorker.service(waitingFor: indexes), components.autoCompleteWorker.service())
    }
    return application
}
