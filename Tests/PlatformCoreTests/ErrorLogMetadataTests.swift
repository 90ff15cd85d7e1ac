import HTTPTypes
import Logging
import OpenAPIRuntime
import Testing

@testable import PlatformCore

/// What a failed request's log line says about its error: never the request's own values.
@Suite struct ErrorLogMetadataTests {
    private struct Key: CodingKey {
        var stringValue: String
        var intValue: Int? { nil }
        init(_ name: String) { stringValue = name }
        init?(stringValue: String) { self.stringValue = stringValue }
        init?(intValue: Int) { nil }
    }

    /// A generated server's error; `input` is set once the request was decoded.
    private func serverError(_ underlying: any Error, cause: String, input: (any Sendable)? = nil) -> ServerError {
        ServerError(
            operationID: "createEvent",
            request: HTTPRequest(method: .post, scheme: nil, authority: nil, path: "/events"),
            requestBody: nil, requestMetadata: ServerRequestMetadata(), operationInput: input, causeDescription: cause,
            underlyingError: underlying)
    }

    @Test func aBodyThatDidNotDecodeIsLoggedByItsCutFieldPathWithoutTheDecodersText() {
        let unknown = "x" + String(repeating: "\u{301}", count: 5_000)  // one character, 5,001 scalars
        let decoding = DecodingError.dataCorrupted(
            .init(codingPath: [Key(unknown)], debugDescription: "Additional properties are disabled"))
        let metadata = ErrorLogMetadata.describe(serverError(decoding, cause: "value 'secret-input' of \(unknown)"))
        #expect(metadata["error.cause"] == nil)
        #expect(metadata["error.operation"] == "createEvent")
        guard case .string(let field)? = metadata["error.field"] else {
            Issue.record("no error.field: \(metadata)")
            return
        }
        #expect(field.unicodeScalars.count == DecodingError.maximumPathLength + 1)
        #expect(field.hasSuffix("…"))
    }

    @Test func aRequestThatDidNotParseIsLoggedWithoutItsCause() {
        struct UnexpectedContentType: Error {}
        let metadata = ErrorLogMetadata.describe(
            serverError(UnexpectedContentType(), cause: "Unexpected content type, received: text/secret-header"))
        #expect(metadata["error.cause"] == nil)
        #expect(metadata["error.operation"] == "createEvent")
    }

    @Test func aHandlersOwnFailureKeepsItsCause() {
        let metadata = ErrorLogMetadata.describe(
            serverError(APIError(.businessRule), cause: "User handler threw an error.", input: "decoded input"))
        #expect(metadata["error.cause"] == "User handler threw an error.")
        #expect(metadata["error.type"] == .string(String(reflecting: APIError.self)))
    }
}
