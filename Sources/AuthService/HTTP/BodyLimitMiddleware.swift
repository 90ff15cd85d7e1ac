import Hummingbird
import PlatformCore

/// Buffers each request body up to `maximumBytes` before any handler sees it: the
/// generated OpenAPI decoders would otherwise read a body of any size. A larger body is
/// 413 `PAYLOAD_TOO_LARGE`.
struct BodyLimitMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext

    let maximumBytes: Int

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        if let declared = request.headers[.contentLength].flatMap(Int.init), declared > maximumBytes {
            throw APIError(.payloadTooLarge)
        }
        var request = request
        let buffer = try await request.body.collect(upTo: maximumBytes)
        request.body = RequestBody(buffer: buffer)
        return try await next(request, context)
    }
}
