public import HTTPTypes
public import Hummingbird
public import NIOCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The JSON body of every error response (DESIGN.md §4):
/// `{"error": {"code": "…", "message": "…", "requestId": "…", "details": {…}}}`, with
/// `details` omitted when the error has none.
public struct ErrorEnvelope: Codable, Sendable, Equatable {
    /// The inner object.
    public struct Body: Codable, Sendable, Equatable {
        /// The stable code, e.g. `NOT_FOUND`.
        public var code: String
        /// The client-facing sentence.
        public var message: String
        /// The request's id, also in the `X-Request-Id` header.
        public var requestId: String
        /// Structured facts; absent when there are none.
        public var details: [String: JSONValue]?
    }

    /// The error.
    public var error: Body

    /// The envelope of `apiError` for the request `requestID`.
    public init(_ apiError: APIError, requestID: String) {
        error = Body(
            code: apiError.code.rawValue,
            message: apiError.message,
            requestId: requestID,
            details: apiError.details.isEmpty ? nil : apiError.details
        )
    }

    /// The complete response: status of the code, `application/json` body, the error's
    /// extra headers.
    /// - Parameters:
    ///   - apiError: The error to render.
    ///   - requestID: The request's id, written into the body.
    /// - Returns: The response; it does not set `X-Request-Id` (`RequestIDMiddleware` does).
    public static func response(for apiError: APIError, requestID: String) -> Response {
        let (head, body) = rendered(apiError, requestID: requestID)
        return Response(status: head.status, headers: head.headerFields, body: ResponseBody(byteBuffer: body))
    }

    /// The same response as `response(for:requestID:)`, as its head and body bytes (for
    /// code that writes HTTP parts itself, like the gateway's event-loop proxy).
    /// - Parameters:
    ///   - apiError: The error to render.
    ///   - requestID: The request's id, written into the body.
    /// - Returns: The head (status, headers) and the JSON body.
    public static func rendered(_ apiError: APIError, requestID: String) -> (head: HTTPResponse, body: ByteBuffer) {
        let body = Self.encoded(ErrorEnvelope(apiError, requestID: requestID), requestID: requestID)
        var headers = apiError.headers
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.contentLength] = String(body.readableBytes)
        return (HTTPResponse(status: apiError.status, headerFields: headers), body)
    }

    private static func encoded(_ envelope: ErrorEnvelope, requestID: String) -> ByteBuffer {
        do {
            return ByteBuffer(bytes: try JSONEncoder.platform.encode(envelope))
        } catch {
            // Unreachable: the envelope holds only strings and JSON values. Still answer
            // JSON; request ids contain no character that needs escaping.
            return ByteBuffer(
                string: #"{"error":{"code":"INTERNAL","message":"An internal error occurred.","requestId":""#
                    + requestID + #""}}"#
            )
        }
    }
}
