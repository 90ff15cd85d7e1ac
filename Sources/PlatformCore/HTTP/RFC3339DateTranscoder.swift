public import OpenAPIRuntime

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// Dates in the API (DESIGN §4): RFC 3339 in UTC. Requests may carry fractional seconds
/// or not; responses carry milliseconds, the precision BSON stores.
public struct RFC3339DateTranscoder: DateTranscoder {
    /// The underlying error of the `DecodingError` a text that is no RFC 3339 date-time
    /// fails with, so the client's message can say what was wrong.
    struct NotADateTime: Error {}

    public init() {}

    public func encode(_ date: Date) throws -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    public func decode(_ text: String) throws -> Date {
        // RFC 3339 years have exactly four digits. Foundation also reads `99999-…` and
        // `-0001-…`, dates no response could spell in RFC 3339 again.
        let year = Array(text.utf8.prefix(5))
        guard year.count == 5, year[4] == UInt8(ascii: "-"),
            year[..<4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw Self.notADateTime
        }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        if let date = try? Date.ISO8601FormatStyle().parse(text) {
            return date
        }
        throw Self.notADateTime
    }

    /// OpenAPIRuntime calls the transcoder without the decoder, so the error cannot name the
    /// field; its underlying error marks it as a date-time failure.
    private static let notADateTime = DecodingError.dataCorrupted(
        .init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time.", underlyingError: NotADateTime()))
}
