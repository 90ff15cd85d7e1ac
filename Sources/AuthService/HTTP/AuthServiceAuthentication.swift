import Hummingbird
import PlatformCore

/// `AuthenticationMiddleware` on every route but `POST /auth/token`, whose
/// `Authorization` header carries a client's HTTP Basic credentials, not a token.
///
/// Only the contract's public operations (`x-roles: [PUBLIC]`) may be called without a
/// token; any other is a 401 before its body is decoded.
struct AuthServiceAuthentication: RouterMiddleware {
    typealias Context = PlatformRequestContext

    /// The paths of auth's public operations besides `/auth/token` (one method each).
    static let publicPaths: Set<String> = ["/auth/register", "/auth/login", "/auth/refresh", "/.well-known/jwks.json"]

    let authentication: AuthenticationMiddleware

    init(verifier: TokenVerifier) {
        authentication = AuthenticationMiddleware(verifier: verifier, allowsAnonymous: Self.isPublic)
    }

    /// Whether `request` is for a public operation (empty path segments ignored, as routing does).
    static func isPublic(_ request: Request) -> Bool {
        let segments = request.uri.path.split(separator: "/", omittingEmptySubsequences: true)
        return publicPaths.contains("/" + segments.joined(separator: "/"))
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
