import Foundation
import OpenAPIRuntime

/// Dates in the API (DESIGN §4): RFC 3339 in UTC. Requests may carry fractional seconds
/// or not; responses carry milliseconds, the precision BSON stores.
struct RFC3339DateTranscoder: DateTranscoder {
    func encode(_ date: Date) throws -> String {
        date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
    }

    func decode(_ text: String) throws -> Date {
        // RFC 3339 years have exactly four digits. Foundation also reads `99999-…` and
        // `-0001-…`, dates no response could spell in RFC 3339 again.
        let year = Array(text.utf8.prefix(5))
        guard year.count == 5, year[4] == UInt8(ascii: "-"),
            year[..<4].allSatisfy({ (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) })
        else {
            throw DecodingError.dataCorrupted(
                .init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time."))
        }
        if let date = try? Date.ISO8601FormatStyle(includingFractionalSeconds: true).parse(text) {
            return date
        }
        if let date = try? Date.ISO8601FormatStyle().parse(text) {
            return date
        }
        throw DecodingError.dataCorrupted(.init(codingPath: [], debugDescription: "Expected an RFC 3339 date-time."))
    }
}
