public import Hummingbird

/// Buffers each request body up to `maximumBytes` before any handler sees it: the
/// generated OpenAPI decoders would otherwise read a body of any size. A larger body is
/// 413 `PAYLOAD_TOO_LARGE`.
public struct BodyLimitMiddleware: RouterMiddleware {
    public typealias Context = PlatformRequestContext

    /// The largest body accepted, in bytes.
    public let maximumBytes: Int

    public init(maximumBytes: Int) {
        self.maximumBytes = maximumBytes
    }

    public func handle(
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
