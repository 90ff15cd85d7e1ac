public import Hummingbird

/// An error that a route answers with, rendered as the envelope of DESIGN.md §4 by
/// `ErrorEnvelopeMiddleware`:
/// `{"error": {"code": "…", "message": "…", "requestId": "…", "details": {…}}}`.
///
/// The HTTP status comes from the `code` (each code is mapped to its status once, in
/// `APIError.Code`). The message is shown to clients, so it must be a constant sentence,
/// never an interpolated error (STYLE.md §13); facts a client can act on go in `details`.
public struct APIError: Error, Sendable, Equatable {
    /// The stable, machine-readable code, which also fixes the status.
    public var code: Code
    /// A human-readable sentence for the client.
    public var message: String
    /// Structured facts for the client (e.g. `{"field": "a.b[2]"}`); omitted from the
    /// envelope when empty.
    public var details: [String: JSONValue]
    /// Extra response headers, such as `Retry-After` or `WWW-Authenticate`.
    public var headers: HTTPFields

    /// Creates an API error.
    /// - Parameters:
    ///   - code: The stable code; it fixes the status.
    ///   - message: The client-facing sentence; the code's default message when `nil`.
    ///   - details: Structured facts for the client.
    ///   - headers: Extra response headers.
    public init(
        _ code: Code,
        message: String? = nil,
        details: [String: JSONValue] = [:],
        headers: HTTPFields = [:]
    ) {
        self.code = code
        self.message = message ?? code.defaultMessage
        self.details = details
        self.headers = headers
    }

    /// The HTTP status of the response.
    public var status: HTTPResponse.Status { code.status }
}

extension APIError: CustomStringConvertible {
    public var description: String { "APIError(\(code.rawValue))" }
}
