public import Foundation

/// One BSON value. Pure Swift and `Sendable`, so documents cross threads freely; bytes
/// are produced only at the libmongoc boundary.
public enum BSON: Sendable, Hashable {
    case double(Double)
    case string(String)
    case document(BSONDocument)
    case array([BSON])
    case binary(BSONBinary)
    case objectID(ObjectID)
    case bool(Bool)
    /// A UTC datetime; BSON keeps whole milliseconds.
    case datetime(Date)
    case null
    case regex(BSONRegularExpression)
    case int32(Int32)
    case timestamp(BSONTimestamp)
    case int64(Int64)
    case decimal128(BSONDecimal128)
    case minKey
    case maxKey

    /// The BSON type byte of this value.
    var typeByte: UInt8 {
        switch self {
        case .double: 0x01
        case .string: 0x02
        case .document: 0x03
        case .array: 0x04
        case .binary: 0x05
        case .objectID: 0x07
        case .bool: 0x08
        case .datetime: 0x09
        case .null: 0x0A
        case .regex: 0x0B
        case .int32: 0x10
        case .timestamp: 0x11
        case .int64: 0x12
        case .decimal128: 0x13
        case .minKey: 0xFF
        case .maxKey: 0x7F
        }
    }
}

extension BSON {
    /// The string, when this is one.
    public var stringValue: String? {
        if case .string(let value) = self { value } else { nil }
    }

    /// The embedded document, when this is one.
    public var documentValue: BSONDocument? {
        if case .document(let value) = self { value } else { nil }
    }

    /// The array, when this is one.
    public var arrayValue: [BSON]? {
        if case .array(let value) = self { value } else { nil }
    }

    /// The ObjectID, when this is one.
    public var objectIDValue: ObjectID? {
        if case .objectID(let value) = self { value } else { nil }
    }

    /// The boolean, when this is one.
    public var boolValue: Bool? {
        if case .bool(let value) = self { value } else { nil }
    }

    /// The date, when this is one.
    public var dateValue: Date? {
        if case .datetime(let value) = self { value } else { nil }
    }

    /// An integral value as `Int`: int32, int64, or a double with no fraction.
    public var intValue: Int? {
        switch self {
        case .int32(let value): Int(value)
        case .int64(let value): Int(exactly: value)
        case .double(let value): Int(exactly: value)
        default: nil
        }
    }

    /// Any numeric value as `Double`.
    public var doubleValue: Double? {
        switch self {
        case .int32(let value): Double(value)
        case .int64(let value): Double(value)
        case .double(let value): value
        default: nil
        }
    }

    /// Whether this is `null`.
    public var isNull: Bool {
        if case .null = self { true } else { false }
    }
}

/// BSON binary data with its subtype.
public struct BSONBinary: Sendable, Hashable {
    /// The subtype byte: 0 generic, 4 UUID, 0x80… user-defined.
    public var subtype: UInt8
    public var data: Data

    /// Wraps `data` with `subtype` (generic by default).
    public init(data: Data, subtype: UInt8 = 0) {
        self.data = data
        self.subtype = subtype
    }
}

/// A BSON regular expression: pattern and option letters (stored sorted, as MongoDB does).
public struct BSONRegularExpression: Sendable, Hashable {
    public var pattern: String
    public var options: String

    /// A regular expression; `options` are re-ordered alphabetically.
    public init(pattern: String, options: String = "") {
        self.pattern = pattern
        self.options = String(options.sorted())
    }
}

/// A BSON internal timestamp (replication, `$clusterTime`): seconds and an ordinal.
public struct BSONTimestamp: Sendable, Hashable {
    public var seconds: UInt32
    public var increment: UInt32

    public init(seconds: UInt32, increment: UInt32) {
        self.seconds = seconds
        self.increment = increment
    }
}

/// An IEEE 754-2008 128-bit decimal, kept as its raw bits; `description` renders it the
/// way MongoDB's shell does.
public struct BSONDecimal128: Sendable, Hashable, CustomStringConvertible {
    public var low: UInt64
    public var high: UInt64

    /// Wraps the raw little-endian halves.
    public init(low: UInt64, high: UInt64) {
        self.low = low
        self.high = high
    }

    /// Parses a decimal string such as `"12.50"` or `"-Infinity"`.
    /// - Throws: `BSONError.unrepresentable` when the string is not a decimal number.
    public init(_ text: String) throws(BSONError) {
        guard let value = DecimalBridge.parse(text) else {
            throw BSONError.unrepresentable("not a Decimal128 string")
        }
        self = value
    }

    public var description: String { DecimalBridge.render(self) }
}
