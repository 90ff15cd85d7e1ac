import Foundation
import MongoKit
import PlatformCore

/// Checks the generated code does not make (lengths, patterns, ranges, ids), each failing
/// with 400 `VALIDATION_FAILED` naming the field in `details.field`.
enum RequestValidation {
    /// A 400 for `field`.
    static func invalid(_ field: String, _ message: String = "A field has an invalid value.") -> APIError {
        APIError(.validationFailed, message: message, details: ["field": .string(field)])
    }

    /// An optional ObjectId filter.
    static func optionalObjectID(_ text: String?, field: String) throws -> ObjectID? {
        try text.map { try ObjectID(contractHex: $0, field: field) }
    }

    /// A string of `length` characters (Unicode scalars, as JSON Schema counts them).
    static func string(_ text: String, field: String, length: ClosedRange<Int>) throws {
        guard length.contains(text.unicodeScalars.count) else {
            throw invalid(field, "A field has an invalid length.")
        }
    }

    /// A string of `length` characters each allowed by `allowed`.
    static func pattern(
        _ text: String, field: String, length: ClosedRange<Int>, allowed: (Unicode.Scalar) -> Bool
    ) throws {
        guard length.contains(text.unicodeScalars.count), text.unicodeScalars.allSatisfy(allowed) else {
            throw invalid(field, "A field does not have the expected format.")
        }
    }

    /// An integer within `range`.
    static func integer(_ value: Int, field: String, in range: ClosedRange<Int>) throws {
        guard range.contains(value) else { throw invalid(field, "A number is out of range.") }
    }

    /// The page size: 1…100, 20 when absent.
    static func limit(_ limit: Int?) throws -> Int {
        let value = limit ?? 20
        try integer(value, field: "limit", in: 1...100)
        return value
    }

    /// `[A-Z_]`: activity types.
    static func isActivityTypeCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || scalar == "_"
    }

    /// `[A-Za-z0-9_]`: attribute names.
    static func isAttributeNameCharacter(_ scalar: Unicode.Scalar) -> Bool {
        ("A"..."Z").contains(scalar) || ("a"..."z").contains(scalar) || ("0"..."9").contains(scalar) || scalar == "_"
    }

    /// The activity types of the API, `^[A-Z_]{1,32}$`.
    static func activityType(_ text: String, field: String) throws {
        try pattern(text, field: field, length: 1...32, allowed: isActivityTypeCharacter)
    }
}
