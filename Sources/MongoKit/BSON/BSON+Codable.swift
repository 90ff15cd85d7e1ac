import Foundation

// Outside the BSON coders (for example in a JSON response) BSON values take their
// natural JSON shape: ObjectIDs and dates as strings, numbers as numbers. The BSON coders
// short-circuit these types and keep them exactly.

extension BSON: Codable {
    public init(from decoder: any Decoder) throws {
        if let keyed = try? decoder.container(keyedBy: DynamicKey.self) {
            var document = BSONDocument()
            for key in keyed.allKeys {
                document.append(key.stringValue, try keyed.decode(BSON.self, forKey: key))
            }
            self = .document(document)
            return
        }
        if var unkeyed = try? decoder.unkeyedContainer() {
            var values: [BSON] = []
            while !unkeyed.isAtEnd {
                values.append(try unkeyed.decode(BSON.self))
            }
            self = .array(values)
            return
        }
        let single = try decoder.singleValueContainer()
        if single.decodeNil() {
            self = .null
        } else if let flag = try? single.decode(Bool.self) {
            self = .bool(flag)
        } else if let integer = try? single.decode(Int64.self) {
            self = Int32(exactly: integer).map(BSON.int32) ?? .int64(integer)
        } else if let number = try? single.decode(Double.self) {
            self = .double(number)
        } else {
            self = .string(try single.decode(String.self))
        }
    }

    public func encode(to encoder: any Encoder) throws {
        switch self {
        case .document(let document):
            try document.encode(to: encoder)
        case .array(let values):
            var container = encoder.unkeyedContainer()
            for value in values {
                try container.encode(value)
            }
        default:
            var container = encoder.singleValueContainer()
            switch self {
            case .double(let number): try container.encode(number)
            case .string(let text): try container.encode(text)
            case .binary(let binary): try container.encode(binary.data.base64EncodedString())
            case .objectID(let id): try container.encode(id.hex)
            case .bool(let flag): try container.encode(flag)
            case .datetime(let date):
                try container.encode(
                    date.ISO8601Format(.iso8601.year().month().day().time(includingFractionalSeconds: true)))
            case .null, .minKey, .maxKey: try container.encodeNil()
            case .regex(let regex): try container.encode("/\(regex.pattern)/\(regex.options)")
            case .int32(let number): try container.encode(number)
            case .timestamp(let stamp): try container.encode(Int64(stamp.seconds) << 32 | Int64(stamp.increment))
            case .int64(let number): try container.encode(number)
            case .decimal128(let decimal): try container.encode(decimal.description)
            case .document, .array: break
            }
        }
    }
}

extension BSONDocument: Codable {
    public init(from decoder: any Decoder) throws {
        guard case .document(let document) = try BSON(from: decoder) else {
            throw DecodingError.typeMismatch(
                BSONDocument.self, .init(codingPath: decoder.codingPath, debugDescription: "expected an object"))
        }
        self = document
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.container(keyedBy: DynamicKey.self)
        for (key, value) in fields {
            try container.encode(value, forKey: DynamicKey(key))
        }
    }
}

/// A coding key for any string, used for documents whose keys are data.
struct DynamicKey: CodingKey {
    let stringValue: String
    var intValue: Int? { nil }

    init(_ stringValue: String) { self.stringValue = stringValue }
    init?(stringValue: String) { self.stringValue = stringValue }
    init?(intValue: Int) { nil }
}

extension BSONDecimal128: Codable {
    /// Outside BSON a Decimal128 is its decimal string, so no precision is lost.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let text = try container.decode(String.self)
        guard let value = DecimalBridge.parse(text) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not a decimal number")
        }
        self = value
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(description)
    }
}

extension BSONBinary: Codable {
    /// Outside BSON binary data is its base64 text.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        guard let data = Data(base64Encoded: try container.decode(String.self)) else {
            throw DecodingError.dataCorruptedError(in: container, debugDescription: "not base64")
        }
        self.init(data: data)
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(data.base64EncodedString())
    }
}
