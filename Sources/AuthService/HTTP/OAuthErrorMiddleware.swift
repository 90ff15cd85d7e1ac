import Hummingbird
import OpenAPIRuntime
import PlatformCore

/// Gives every error of `POST /auth/token` its RFC 6749 §5.2 code in
/// `details.oauthError`, including the request-decoding failures the generated code throws
/// before the handler runs: a `grant_type` other than `client_credentials` is
/// `unsupported_grant_type`, any other malformed request `invalid_request`, a failed client
/// authentication `invalid_client` (with `WWW-Authenticate: Basic`).
struct OAuthErrorMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        guard request.uri.path == "/auth/token" else {
            return try await next(request, context)
        }
        do {
            return try await next(request, context)
        } catch {
            var apiError = APIError.translating(error)
            guard apiError.details["oauthError"] == nil else { throw apiError }
            switch apiError.code {
            case .validationFailed:
                let unsupported = Self.failedField(of: error) == "grant_type" && Self.isBadValue(error)
                apiError.details["oauthError"] = .string(unsupported ? "unsupported_grant_type" : "invalid_request")
            case .unauthorized:
                apiError.details["oauthError"] = "invalid_client"
                apiError.headers[.wwwAuthenticate] = "Basic"
            default:
                break
            }
            throw apiError
        }
    }

    /// The decoding error inside `error`, if any (the generated server wraps it).
    private static func decodingError(in error: any Error) -> DecodingError? {
        if let decoding = error as? DecodingError { return decoding }
        if let server = error as? ServerError { return decodingError(in: server.underlyingError) }
        return nil
    }

    private static func failedField(of error: any Error) -> String? {
        switch decodingError(in: error) {
        case .keyNotFound(let key, _): key.stringValue
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            context.codingPath.last?.stringValue
        case nil: nil
        @unknown default: nil
        }
    }

    /// Whether the field was present with a value the contract does not allow (rather than missing).
    private static func isBadValue(_ error: any Error) -> Bool {
        switch decodingError(in: error) {
        case .dataCorrupted, .typeMismatch: true
        default: false
        }
    }
}
