public import Hummingbird
public import Logging
public import PlatformCore

/// Builds the gateway: the platform middleware and the health routes. (Token checks, the
/// route table and the proxy to auth and event arrive with later issues.)
///
/// Readiness has no checks yet, so `/health/ready` always answers ready; the checks of the
/// upstreams (`configuration.authURL`, `eventURL`) arrive with the proxy.
/// - Parameters:
///   - configuration: Where to listen, the upstreams, the log level.
///   - logger: The application's logger; by default one labelled `gateway` at the configured level.
///   - onServerRunning: Told the bound port once the server listens (tests bind port 0).
/// - Returns: The application; run it as a `Service`.
public func buildGatewayApplication(
    configuration: GatewayConfiguration,
    logger: Logger? = nil,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "gateway", level: configuration.logLevel)
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    HealthRoutes(checks: []).addRoutes(to: router)
    return Application(platformRouter: router, http: configuration.http, logger: logger, onServerRunning: onServerRunning)
}
