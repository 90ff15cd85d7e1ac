public import Hummingbird
public import Logging
public import MongoKit
public import PlatformCore

/// Builds the event service: the platform middleware and the health routes, with MongoDB in
/// readiness. (Its API routes arrive with the event, claim and activity issues.)
///
/// The caller owns `pool`: run it in the same `ServiceGroup`, before the application, so it
/// closes after the server (`PlatformServiceGroup.make`).
/// - Parameters:
///   - configuration: Where to listen, the database, the log level.
///   - pool: The MongoDB client pool.
///   - logger: The application's logger; by default one labelled `event` at the configured level.
///   - onServerRunning: Told the bound port once the server listens (tests bind port 0).
/// - Returns: The application; run it as a `Service`.
public func buildEventApplication(
    configuration: ServiceConfiguration,
    pool: MongoClientPool,
    logger: Logger? = nil,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "event", level: configuration.logLevel)
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    HealthRoutes(checks: [.mongoDB(pool)]).addRoutes(to: router)
    return Application(platformRouter: router, http: configuration.http, logger: logger, onServerRunning: onServerRunning)
}
