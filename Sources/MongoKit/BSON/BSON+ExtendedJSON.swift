import Foundation

extension BSONDocument {
    /// The document as canonical Extended JSON v2 (type-preserving), for logs and tests.
    public var canonicalExtendedJSON: String {
        var output = ""
        ExtendedJSONWriter.write(self, into: &output)
        return output
    }
}

extension BSON {
    /// The value as canonical Extended JSON v2.
    public var canonicalExtendedJSON: String {
        var output = ""
        ExtendedJSONWriter.write(self, into: &output)
        return output
    }
}

/// Renders canonical Extended JSON v2 (MongoDB's "Extended JSON" specification).
enum ExtendedJSONWriter {
    static func write(_ document: BSONDocument, into output: inout String) {
        output += "{"
        for (index, field) in document.fields.enumerated() {
            if index > 0 { output += ", " }
            writeString(field.key, into: &output)
            output += ": "
            write(field.value, into: &output)
        }
        output += "}"
    }

    static func write(_ value: BSON, into output: inout String) {
        switch value {
        case .double(let number):
            output += #"{"$numberDouble": ""# + render(number) + #""}"#
        case .string(let text):
            writeString(text, into: &output)
        case .document(let document):
            write(document, into: &output)
        case .array(let values):
            output += "["
            for (index, element) in values.enumerated() {
                if index > 0 { output += ", " }
                write(element, into: &output)
            }
            output += "]"
        case .binary(let binary):
            let subtype = String(binary.subtype, radix: 16)
            output +=
                #"{"$binary": {"base64": ""# + binary.data.base64EncodedString()
                + #"", "subType": ""# + (subtype.count == 1 ? "0" + subtype : subtype) + #""}}"#
        case .objectID(let id):
            output += #"{"$oid": ""# + id.hex + #""}"#
        case .bool(let flag):
            output += flag ? "true" : "false"
        case .datetime(let date):
            let milliseconds = (try? BSONWriter.milliseconds(date)) ?? 0
            output += #"{"$date": {"$numberLong": ""# + String(milliseconds) + #""}}"#
        case .null:
            output += "null"
        case .regex(let regex):
            output += #"{"$regularExpression": {"pattern": "#
            writeString(regex.pattern, into: &output)
            output += #", "options": "#
            writeString(regex.options, into: &output)
            output += "}}"
        case .int32(let number):
            output += #"{"$numberInt": ""# + String(number) + #""}"#
        case .timestamp(let stamp):
            output += #"{"$timestamp": {"t": "# + String(stamp.seconds) + #", "i": "# + String(stamp.increment) + "}}"
        case .int64(let number):
            output += #"{"$numberLong": ""# + String(number) + #""}"#
        case .decimal128(let decimal):
            output += #"{"$numberDecimal": ""# + decimal.description + #""}"#
        case .minKey:
            output += #"{"$minKey": 1}"#
        case .maxKey:
            output += #"{"$maxKey": 1}"#
        }
    }

    /// Doubles as the specification spells them: `1.0`, `-0.0`, `Infinity`, `NaN`.
    private static func render(_ number: Double) -> String {
        if number.isNaN { return "NaN" }
        if number.isInfinite { return number < 0 ? "-Infinity" : "Infinity" }
        return "\(number)".replacingOccurrences(of: "e", with: "E")
    }

    private static func writeString(_ text: String, into output: inout String) {
        output += "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": output += "\\\""
            case "\\": output += "\\\\"
            case "\n": output += "\\n"
            case "\r": output += "\\r"
            case "\t": output += "\\t"
            case "\u{08}": output += "\\b"
            case "\u{0C}": output += "\\f"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                output += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default:
                output.unicodeScalars.append(scalar)
            }
        }
        output += "\""
    }
}
