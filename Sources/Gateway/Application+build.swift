public import AsyncHTTPClient
public import Hummingbird
public import Logging
public import PlatformCore
public import Prometheus

/// Builds the gateway (DESIGN §1, §3, §4): the only public entry of the platform.
///
/// Its routes come from the bundled `openapi.yaml` (`GatewayContract`): each request is
/// matched against the document (404 / 405 otherwise), guarded by the operation's
/// `x-roles` (401 / 403), and proxied to the service `x-service-tags` names, or answered
/// by the gateway itself for tag `platform`: `/health`, `/health/ready` (each upstream's
/// `/health`, and the verifying keys when `keysAvailable` is given), `/metrics`
/// (Prometheus text), `/openapi.yaml` (the file) and `/docs`.
///
/// The caller owns `httpClient` (shut it down after the server stops, e.g. with
/// `HTTPClientService`) and whatever keeps the verifier's keys fresh (`JWKSRefresher`).
/// - Parameters:
///   - configuration: Where to listen, the upstreams, timeouts, body limit.
///   - verifier: Verifies access tokens (auth's JWKS keys).
///   - httpClient: The client to forward with; make it with `GatewayHTTPClient.make`.
///   - metrics: The registry `/metrics` serves; the request metrics go there.
///   - keysAvailable: Whether verifying keys are loaded yet (e.g. `JWKSRefresher.hasKeys`);
///     while they are not, a request with a token to a guarded route gets 503, not 401.
///     Asked on the event loops: it must not block.
///   - logger: The application's logger; by default one labelled `gateway`.
///   - onServerRunning: Told the bound port once the server listens (tests bind port 0).
/// - Returns: The application; run it as a `Service`.
/// - Throws: `ContractError` when the bundled document is missing or unusable, or names a
///   service the configuration has no URL for.
public func buildGatewayApplication(
    configuration: GatewayConfiguration,
    verifier: TokenVerifier,
    httpClient: HTTPClient,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    keysAvailable: (@Sendable () -> Bool)? = nil,
    logger: Logger? = nil,
    onServerRunning: @escaping ServerRunningHandler = { _ in }
) throws -> some ApplicationProtocol {
    let logger = logger ?? Logger(label: "gateway", level: configuration.logLevel)
    let contract = try GatewayContract.bundled()
    let router = try buildGatewayRouter(
        contract: contract, configuration: configuration, verifier: verifier, httpClient: httpClient,
        metrics: metrics, keysAvailable: keysAvailable)
    let idleTimeout = configuration.idleTimeout.map(GatewayHTTPClient.timeAmount)
    guard configuration.proxiesOnEventLoop else {
        return Application(
            platformRouter: router, http: configuration.http, logger: logger, onServerRunning: onServerRunning,
            server: .gateway(loopProxy: nil, idleTimeout: idleTimeout))
    }
    let upstreams = LoopUpstreams(
        targets: Upstreams(configuration: configuration).baseURLs.compactMapValues(UpstreamTarget.init(baseURL:)),
        connectTimeout: GatewayHTTPClient.timeAmount(configuration.connectTimeout),
        readTimeout: GatewayHTTPClient.timeAmount(configuration.readTimeout),
        connectionsPerLoop: configuration.upstreamConnectionsPerLoop)
    let proxy = LoopProxy(
        planner: LoopProxyPlanner(
            routes: contract.gatewayRoutes, verifier: verifier, targets: upstreams.targets,
            maximumBodySize: configuration.maximumBodySize, keysAvailable: keysAvailable),
        upstreams: upstreams,
        metrics: HTTPRequestMetrics(registry: metrics, namespace: "gateway"),
        proxiedRequests: metrics.makeCounter(descriptor: LoopProxy.proxiedRequestsMetric),
        usesWirePath: configuration.usesWirePath,
        wireRequests: metrics.makeCounter(descriptor: LoopProxy.wireRequestsMetric),
        wireRefusals: metrics.makeCounter(descriptor: LoopProxy.wireRefusalsMetric),
        readTimeout: GatewayHTTPClient.timeAmount(configuration.readTimeout),
        deadline: GatewayHTTPClient.timeAmount(GatewayHTTPClient.exchangeDeadline(configuration)),
        idleTimeout: idleTimeout, logger: logger)
    return Application(
        platformRouter: router, http: configuration.http, logger: logger, onServerRunning: onServerRunning,
        server: .gateway(loopProxy: proxy, idleTimeout: idleTimeout), services: [upstreams])
}

/// The gateway's router: the platform middleware, the routing middleware and the gateway's
/// own routes. `buildGatewayApplication` serves it; tests list its routes.
/// - Parameters: As `buildGatewayApplication`.
/// - Returns: The router.
/// - Throws: `ContractError` as `buildGatewayApplication`.
public func buildGatewayRouter(
    configuration: GatewayConfiguration,
    verifier: TokenVerifier,
    httpClient: HTTPClient,
    metrics: PrometheusCollectorRegistry = PrometheusCollectorRegistry(),
    keysAvailable: (@Sendable () -> Bool)? = nil
) throws -> Router<PlatformRequestContext> {
    try buildGatewayRouter(
        contract: GatewayContract.bundled(), configuration: configuration, verifier: verifier,
        httpClient: httpClient, metrics: metrics, keysAvailable: keysAvailable)
}

func buildGatewayRouter(
    contract: GatewayContract,
    configuration: GatewayConfiguration,
    verifier: TokenVerifier,
    httpClient: HTTPClient,
    metrics: PrometheusCollectorRegistry,
    keysAvailable: (@Sendable () -> Bool)?
) throws -> Router<PlatformRequestContext> {
    let routes = contract.gatewayRoutes
    let upstreams = Upstreams(configuration: configuration)
    try upstreams.validate(covering: routes)

    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    router.add(
        middleware: GatewayRoutingMiddleware(
            routes: routes,
            routeGuard: RouteGuard(
                authentication: AuthenticationMiddleware(verifier: verifier), keysAvailable: keysAvailable),
            proxy: UpstreamProxy(
                client: httpClient, upstreams: upstreams, maximumBodySize: configuration.maximumBodySize,
                deadline: GatewayHTTPClient.exchangeDeadline(configuration)),
            metrics: HTTPRequestMetrics(registry: metrics, namespace: "gateway")
        ))
    var readiness = UpstreamReadiness.checks(
        upstreams: upstreams, client: httpClient, timeout: configuration.readinessTimeout)
    if let keysAvailable { readiness.append(UpstreamReadiness.keys(available: keysAvailable)) }
    HealthRoutes(checks: readiness).addRoutes(to: router)
    MetricsRoute<PlatformRequestContext>(registry: metrics).addRoutes(to: router)
    DocumentRoutes(contract: contract).addRoutes(to: router)
    return router
}
