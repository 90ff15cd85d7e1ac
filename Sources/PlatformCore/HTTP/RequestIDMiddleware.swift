public import Hummingbird
import Logging

/// Gives every request its id and puts it everywhere it belongs: on the context, in every
/// log line of the request (`request.id`) and on every response (`X-Request-Id`).
///
/// Install it outside `ErrorEnvelopeMiddleware` (see `Router.addPlatformMiddleware()`): the
/// envelope middleware then renders errors with this id in the body, and the response it
/// makes comes back through here to get the header.
public struct RequestIDMiddleware: RouterMiddleware {
    /// The platform's request context, which carries the request id.
    public typealias Context = PlatformRequestContext

    /// Creates the middleware.
    public init() {}

    /// Sets the request id, calls the rest of the chain and stamps the response.
    public func handle(
        _ request: Request,
        context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        let requestID = RequestIdentifier.sanitized(request.headers[.xRequestID]) ?? RequestIdentifier.generate()
        var context = context
        context.requestID = requestID
        context.logger[metadataKey: "request.id"] = .string(requestID)
        // Keep Hummingbird's own id (`context.id`, its log lines) the same as ours.
        context.logger[metadataKey: "hb.request.id"] = .string(requestID)
        var response = try await RequestIdentifier.$current.withValue(requestID) {
            try await next(request, context)
        }
        response.headers[.xRequestID] = requestID
        return response
    }
}
