public import Hummingbird

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension Request {
    /// Decodes the JSON body as `Value`, failing with errors that render as the envelope.
    ///
    /// Dates are RFC 3339 strings (DESIGN.md §4). Unknown fields are the schema layer's job
    /// (the OpenAPI-generated types reject them), not this helper's.
    /// - Parameters:
    ///   - type: The type to decode.
    ///   - context: The request context; its `maxUploadSize` bounds the body.
    /// - Returns: The decoded value.
    /// - Throws: `APIError` `VALIDATION_FAILED` for an empty body, a body that is not JSON
    ///   or one that does not match `Value` (with `details.field` naming the field, e.g.
    ///   `items[2].name`); Hummingbird's 413 error (rendered `PAYLOAD_TOO_LARGE`) for a body
    ///   over the limit.
    public func decodeJSON<Value: Decodable>(as type: Value.Type, context: some RequestContext) async throws -> Value {
        let buffer = try await body.collect(upTo: context.maxUploadSize)
        guard buffer.readableBytes > 0 else {
            throw APIError(.validationFailed, message: "The request body is empty.")
        }
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        do {
            return try decoder.decode(Value.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw APIError(decodingError: error)
        }
    }
}
