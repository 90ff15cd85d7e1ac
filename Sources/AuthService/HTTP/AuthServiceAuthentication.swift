import Hummingbird
import PlatformCore

/// `AuthenticationMiddleware` on every route but `POST /auth/token`, whose
/// `Authorization` header carries a client's HTTP Basic credentials, not a token.
struct AuthServiceAuthentication: RouterMiddleware {
    typealias Context = PlatformRequestContext

    let authentication: AuthenticationMiddleware

    init(verifier: TokenVerifier) {
        authentication = AuthenticationMiddleware(verifier: verifier)
    }

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        if request.uri.path == "/auth/token" {
            return try await next(request, context)
        }
        return try await authentication.handle(request, context: context, next: next)
    }
}
