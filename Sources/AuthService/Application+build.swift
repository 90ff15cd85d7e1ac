public import Hummingbird
public import Logging
public import MongoKit
import OpenAPIHummingbird
public import PlatformCore

/// Builds the auth service: the platform middleware, health routes (MongoDB in readiness),
/// and every operation of the contract's `auth`, `users` and `service-clients` tags.
///
/// Readiness includes MongoDB and `authDatabase`: whether the indexes and the admin
/// bootstrap are done (`AuthDatabasePreparer` does them in the background, so the service
/// is alive while MongoDB is not). Every token is verified by auth itself against its own
/// keys; identity headers are never read.
///
/// The caller owns `pool` and `core.hasher`: run them in the same `ServiceGroup`, before the
/// application, so they close after the server (`PlatformServiceGroup.make`), together with
/// an `AuthDatabasePreparer` and the `OutboxRelay`.
/// - Parameters:
///   - configuration: Where to listen, the database, the log level.
///   - pool: The MongoDB client pool (for readiness).
///   - core: Keys, hasher and repositories (`AuthCore.make`).
///   - metrics: `GET /metrics` over the process's registry (none when `nil`).
///   - logger: The application's logger; by default one labelled `auth` at the configured level.
///   - maximumBodySize: The largest request body accepted (413 beyond); 64 KiB by default.
///   - onServerRunning: Told the bound port once the server listens (tests bind port 0).
/// - Returns: The application; run it as a `Service`.
/// - Throws: When the generated routes cannot be registered (a programming error).
public func buildAuthApplication(
    configuration: ServiceConfiguration,
    pool: MongoClientPool,
    core: AuthCore,
    metrics: MetricsRoute<PlatformRequestContext>? = nil,
    logger: Logger? = nil,
    maximumBodySize: Int = 64 * 1024,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) throws -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "auth", level: configuration.logLevel)
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    HealthRoutes(checks: [.mongoDB(pool), core.preparationCheck]).addRoutes(to: router)
    metrics?.addRoutes(to: router)

    router.add(middleware: RequestFactsMiddleware())
    router.add(middleware: OAuthErrorMiddleware())
    router.add(middleware: BodyLimitMiddleware(maximumBytes: maximumBodySize))
    router.add(middleware: AuthServiceAuthentication(verifier: core.verifier))
    try AuthAPI(core: core, logger: logger).registerHandlers(on: router)

    return Application(
        platformRouter: router, http: configuration.http, logger: logger, onServerRunning: onServerRunning)
}

extension AuthCore {
    /// `authDatabase`: up once the indexes exist and the admin bootstrap ran.
    var preparationCheck: ReadinessCheck {
        ReadinessCheck(name: "authDatabase") { [preparation] in
            guard preparation.isSet else { throw AuthStartupError("the auth database is not prepared yet") }
        }
    }
}
