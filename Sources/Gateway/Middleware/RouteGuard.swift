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
    let keysAvailable: (@Sendable () -> Bool)?

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
                case .forbidden: throw Self.forbidden
                }
            }
        } catch let error as APIError where error.code == .unauthorized {
            throw Self.answer(toTokenFailure: error, keysAvailable: keysAvailable)
        }
    }

    /// The answer to a request whose `Authorization` failed (`error`, from
    /// `AuthenticationMiddleware` or `TokenVerifier`): a 401 carries `WWW-Authenticate:
    /// Bearer`, or is a 503 while no key is loaded; any other error (a 429) is the answer as
    /// it is. The byte-level path answers such requests itself with the same.
    static func answer(toTokenFailure error: APIError, keysAvailable: (@Sendable () -> Bool)?) -> APIError {
        guard error.code == .unauthorized else { return error }
        if let keysAvailable, !keysAvailable() {
            return APIError(.serviceUnavailable, message: "Access tokens cannot be verified yet.")
        }
        var error = error
        error.headers[.wwwAuthenticate] = "Bearer"
        return error
    }

    /// A guarded route called without `Authorization`.
    static var unauthenticated: APIError {
        APIError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
    }

    /// A valid token without any of the route's roles.
    static var forbidden: APIError { APIError(.forbidden) }
}
