import HTTPTypes
import Hummingbird
import PlatformCore

/// The gateway's core, after the platform middleware: every request is looked up in the
/// contract's route table, guarded, and then either proxied to its upstream or handed to
/// the gateway's own routes (tag `platform`). Each request is counted and timed by route
/// template and status.
///
/// - No template fits the path → 404 `NOT_FOUND`.
/// - The path has no operation for the method → 405 `METHOD_NOT_ALLOWED` with `Allow`.
/// - A route with roles: no token → 401 (with `WWW-Authenticate: Bearer`), an invalid token
///   → 401, none of the roles → 403 (`RouteGuard`). Public routes pass without a token,
///   and a token sent to one is not checked here (the upstream decides).
struct GatewayRoutingMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext

    let routes: RouteTable
    let routeGuard: RouteGuard
    let proxy: UpstreamProxy
    let metrics: HTTPRequestMetrics

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        let start = ContinuousClock.now
        var route = HTTPRequestMetrics.unmatchedRoute
        do {
            let response: Response
            switch routes.match(method: request.method, path: request.uri.path) {
            case .notFound:
                throw APIError(.notFound)
            case .methodNotAllowed(let path, let allowed):
                route = path.template
                let allow = allowed.map(\.rawValue).joined(separator: ", ")
                throw APIError(
                    .methodNotAllowed, details: ["allowed": .array(allowed.map { .string($0.rawValue) })],
                    headers: [.allow: allow])
            case .matched(let operation, _):
                route = operation.path.template
                response = try await routeGuard.admit(request, context: context, to: operation.access) {
                    request, context in
                    if let service = operation.service {
                        return try await proxy.forward(request, to: service, context: context)
                    }
                    return try await next(request, context)
                }
            }
            record(route: route, request: request, status: response.status.code, since: start)
            return response
        } catch {
            record(route: route, request: request, status: APIError.translating(error).status.code, since: start)
            throw error
        }
    }

    private func record(route: String, request: Request, status: Int, since start: ContinuousClock.Instant) {
        metrics.record(route: route, method: request.method.rawValue, status: status, elapsed: .now - start)
    }
}
