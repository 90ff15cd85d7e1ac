public import Hummingbird
public import Logging

/// Renders every error thrown below it as the error envelope, with the status of its code
/// (`APIError.translating(_:)` decides), and logs it with the request's logger.
///
/// It is the outermost error handler: everything after it — routes, other middleware,
/// Hummingbird's not-found responder — may throw; nothing escapes it. Only
/// `RequestIDMiddleware` sits outside it, to stamp `X-Request-Id` on what it returns.
///
/// Logging: 4xx at `debug` (the client's mistake), 502–504 at `warning`, other 5xx at
/// `error` with the error's type and description — the response itself carries only the
/// code's constant message.
public struct ErrorEnvelopeMiddleware: RouterMiddleware {
    /// The platform's request context, which carries the request id.
    public typealias Context = PlatformRequestContext

    /// Creates the middleware.
    public init() {}

    /// Calls the rest of the chain and turns a thrown error into its envelope response.
    public func handle(
        _ request: Request,
        context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch {
            let apiError = APIError.translating(error)
            Self.log(error, as: apiError, logger: context.logger)
            return ErrorEnvelope.response(for: apiError, requestID: context.requestID)
        }
    }

    /// Logs `error`, answered as `apiError`, as this middleware does (the gateway's
    /// byte-level path logs the errors it answers itself through this too).
    public static func log(_ error: any Error, as apiError: APIError, logger: Logger) {
        let status = apiError.status.code
        var metadata: Logger.Metadata = [
            "error.code": .string(apiError.code.rawValue),
            "http.status": .stringConvertible(status),
        ]
        // An APIError was thrown on purpose and says all there is; anything else is worth
        // what can be said without quoting the request (never in the response).
        if !(error is APIError) {
            metadata.merge(ErrorLogMetadata.describe(error)) { _, new in new }
        }
        switch status {
        case 500..<502, 505...:
            logger.error("request failed", metadata: metadata)
        case 502...504:
            logger.warning("request failed", metadata: metadata)
        default:
            logger.debug("request rejected", metadata: metadata)
        }
    }
}
