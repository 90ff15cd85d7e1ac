import HTTPTypes
import Hummingbird
import PlatformCore

/// Lets a request through to a route only when the route's `x-roles` admit its caller.
///
/// Verification is PlatformCore's `AuthenticationMiddleware` (ES256 against the JWKS keys,
/// issuer, audience, time window); this adds the decision: no token → 401, a token without
/// one of the roles → 403. Every 401 carries `WWW-Authenticate: Bearer`. While no signing
/// key has been loaded yet (auth unreachable since start), a token cannot be judged, so
/// the answer is 503 instead of a misleading 401.
struct RouteGuard: Sendable {
    let authentication: AuthenticationMiddleware
    /// Whether verifying keys are loaded; `nil` when they always are (fixed keys).
    let keysAvailable: (@Sendable () async -> Bool)?

    func admit(
        _ request: Request, context: PlatformRequestContext, to access: AccessRequirement,
        then next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        guard case .anyOf = access else {
            return try await next(request, context)
        }
        guard request.headers[.authorization] != nil else {
            throw Self.unauthenticated
        }
        do {
            return try await authentication.handle(request, context: context) { request, context in
                switch access.decision(for: context.identity) {
                case .allowed: return try await next(request, context)
                case .unauthenticated: throw Self.unauthenticated
                case .forbidden: throw APIError(.forbidden)
                }
            }
        } catch let error as APIError where error.code == .unauthorized {
            if let keysAvailable, await !keysAvailable() {
                throw APIError(.serviceUnavailable, message: "Access tokens cannot be verified yet.")
            }
            var error = error
            error.headers[.wwwAuthenticate] = "Bearer"
            throw error
        }
    }

    static var unauthenticated: APIError {
        APIError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }
}
