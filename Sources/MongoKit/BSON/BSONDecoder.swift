import Foundation

/// Decodes `Decodable` values from BSON, the inverse of `BSONEncoder`. Numbers convert
/// when exact (an int32 field decodes into `Int`, a whole double into `Int`), nothing else
/// is coerced.
///
/// Errors are `DecodingError`s whose context's `codingPath` names the key:
/// `keyNotFound` for a missing field, `valueNotFound` for `null` in a non-optional,
/// `typeMismatch` for a value of the wrong BSON type.
public struct BSONDecoder: Sendable {
    public init() {}

    /// Decodes `type` from a document.
    /// - Throws: `DecodingError` naming the key path of the first field that does not fit.
    public func decode<T: Decodable>(_ type: T.Type, from document: BSONDocument) throws -> T {
        try decode(type, fromValue: .document(document))
    }

    /// Decodes `type` from any BSON value.
    /// - Throws: `DecodingError` naming the key path of the first value that does not fit.
    public func decode<T: Decodable>(_ type: T.Type, fromValue value: BSON) throws -> T {
        try ValueDecoder.decode(type, from: value, codingPath: [])
    }
}

/// The `Decoder` handed to `init(from:)` for one BSON value.
struct ValueDecoder: Decoder {
    let value: BSON
    let codingPath: [any CodingKey]
    var userInfo: [CodingUserInfoKey: Any] { [:] }

    /// Decodes one value, short-circuiting the types BSON stores natively. Metatype
    /// comparisons, not dynamic casts: this runs for every non-primitive field.
    static func decode<T: Decodable>(_ type: T.Type, from value: BSON, codingPath: [any CodingKey]) throws -> T {
        if type == ObjectID.self { return try cast(unwrap(value.objectIDValue, as: type, value, codingPath)) }
        if type == Date.self { return try cast(unwrap(value.dateValue, as: type, value, codingPath)) }
        if type == String.self { return try cast(unwrap(value.stringValue, as: type, value, codingPath)) }
        if type == Int.self { return try cast(unwrap(value.intValue, as: type, value, codingPath)) }
        if type == Bool.self { return try cast(unwrap(value.boolValue, as: type, value, codingPath)) }
        if type == Double.self { return try cast(unwrap(value.doubleValue, as: type, value, codingPath)) }
        if type == BSON.self { return cast(value) }
        if type == BSONDocument.self { return try cast(unwrap(value.documentValue, as: type, value, codingPath)) }
        if type == Data.self || type == BSONBinary.self {
            guard case .binary(let binary) = value else { throw mismatch(type, value, codingPath) }
            return type == Data.self ? cast(binary.data) : cast(binary)
        }
        if type == BSONDecimal128.self {
            guard case .decimal128(let decimal) = value else { throw mismatch(type, value, codingPath) }
            return cast(decimal)
        }
        if type == URL.self {
            guard let text = value.stringValue, let url = URL(string: text) else {
                throw mismatch(type, value, codingPath)
            }
            return cast(url)
        }
        return try T(from: ValueDecoder(value: value, codingPath: codingPath))
    }

    /// Reinterprets a value already known (by metatype equality) to be a `T`.
    private static func cast<U, T>(_ value: U) -> T {
        unsafeBitCast(value, to: T.self)
    }

    private static func unwrap<U>(
        _ converted: U?, as type: Any.Type, _ value: BSON, _ codingPath: [any CodingKey]
    )
        throws -> U
    {
        guard let converted else { throw mismatch(type, value, codingPath) }
        return converted
    }

    static func mismatch(_ type: Any.Type, _ value: BSON, _ codingPath: [any CodingKey]) -> DecodingError {
        if value.isNull {
            return .valueNotFound(type, .init(codingPath: codingPath, debugDescription: "found null"))
        }
        return .typeMismatch(
            type, .init(codingPath: codingPath, debugDescription: "found BSON \(value.typeName)"))
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) throws -> KeyedDecodingContainer<Key> {
        guard case .document(let document) = value else {
            throw Self.mismatch(BSONDocument.self, value, codingPath)
        }
        return KeyedDecodingContainer(KeyedBSONDecodingContainer<Key>(document: document, codingPath: codingPath))
    }

    func unkeyedContainer() throws -> any UnkeyedDecodingContainer {
        guard case .array(let values) = value else { throw Self.mismatch([BSON].self, value, codingPath) }
        return UnkeyedBSONDecodingContainer(values: values, codingPath: codingPath)
    }

    func singleValueContainer() throws -> any SingleValueDecodingContainer {
        SingleValueBSONDecodingContainer(value: value, codingPath: codingPath)
    }
}

/// Exact numeric conversions from any BSON number.
enum BSONNumberDecoding {
    static func integer<I: FixedWidthInteger>(_ type: I.Type, from value: BSON, codingPath: [any CodingKey]) throws -> I
    {
        let converted: I? =
            switch value {
            case .int32(let number): I(exactly: number)
            case .int64(let number): I(exactly: number)
            case .double(let number): I(exactly: number)
            default: nil
            }
        guard let converted else {
            if value.doubleValue != nil {
                throw DecodingError.dataCorrupted(
                    .init(codingPath: codingPath, debugDescription: "number does not fit in \(type)"))
            }
            throw ValueDecoder.mismatch(type, value, codingPath)
        }
        return converted
    }
}

struct KeyedBSONDecodingContainer<Key: CodingKey>: KeyedDecodingContainerProtocol {
    let document: BSONDocument
    let codingPath: [any CodingKey]

    var allKeys: [Key] { document.keys.compactMap { Key(stringValue: $0) } }

    func contains(_ key: Key) -> Bool { document.contains(key.stringValue) }

    private func value(for key: Key) throws -> BSON {
        guard let value = document[key.stringValue] else {
            throw DecodingError.keyNotFound(
                key, .init(codingPath: codingPath, debugDescription: "no field \"\(key.stringValue)\""))
        }
        return value
    }

    func decodeNil(forKey key: Key) throws -> Bool {
        document[key.stringValue]?.isNull ?? true
    }

    func decode<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T {
        try ValueDecoder.decode(type, from: try value(for: key), codingPath: codingPath + [key])
    }

    func decodeIfPresent<T: Decodable>(_ type: T.Type, forKey key: Key) throws -> T? {
        guard let value = document[key.stringValue], !value.isNull else { return nil }
        return try ValueDecoder.decode(type, from: value, codingPath: codingPath + [key])
    }

    func decode(_ type: Int32.Type, forKey key: Key) throws -> Int32 { try integer(type, key) }
    func decode(_ type: Int64.Type, forKey key: Key) throws -> Int64 { try integer(type, key) }
    func decode(_ type: Int8.Type, forKey key: Key) throws -> Int8 { try integer(type, key) }
    func decode(_ type: Int16.Type, forKey key: Key) throws -> Int16 { try integer(type, key) }
    func decode(_ type: UInt.Type, forKey key: Key) throws -> UInt { try integer(type, key) }
    func decode(_ type: UInt8.Type, forKey key: Key) throws -> UInt8 { try integer(type, key) }
    func decode(_ type: UInt16.Type, forKey key: Key) throws -> UInt16 { try integer(type, key) }
    func decode(_ type: UInt32.Type, forKey key: Key) throws -> UInt32 { try integer(type, key) }
    func decode(_ type: UInt64.Type, forKey key: Key) throws -> UInt64 { try integer(type, key) }
    func decode(_ type: Float.Type, forKey key: Key) throws -> Float {
        Float(try decode(Double.self, forKey: key))
    }

    private func integer<I: FixedWidthInteger>(_ type: I.Type, _ key: Key) throws -> I {
        try BSONNumberDecoding.integer(type, from: try value(for: key), codingPath: codingPath + [key])
    }

    func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type, forKey key: Key
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        try ValueDecoder(value: try value(for: key), codingPath: codingPath + [key]).container(keyedBy: type)
    }

    func nestedUnkeyedContainer(forKey key: Key) throws -> any UnkeyedDecodingContainer {
        try ValueDecoder(value: try value(for: key), codingPath: codingPath + [key]).unkeyedContainer()
    }

    func superDecoder() throws -> any Decoder {
        ValueDecoder(value: document["super"] ?? .null, codingPath: codingPath)
    }

    func superDecoder(forKey key: Key) throws -> any Decoder {
        ValueDecoder(value: document[key.stringValue] ?? .null, codingPath: codingPath + [key])
    }
}

struct UnkeyedBSONDecodingContainer: UnkeyedDecodingContainer {
    let values: [BSON]
    let codingPath: [any CodingKey]
    private(set) var currentIndex = 0

    init(values: [BSON], codingPath: [any CodingKey]) {
        self.values = values
        self.codingPath = codingPath
    }

    var count: Int? { values.count }
    var isAtEnd: Bool { currentIndex >= values.count }

    private var currentPath: [any CodingKey] { codingPath + [IndexKey(intValue: currentIndex)] }

    private mutating func next(_ type: Any.Type) throws -> BSON {
        guard !isAtEnd else {
            throw DecodingError.valueNotFound(
                type, .init(codingPath: currentPath, debugDescription: "array has only \(values.count) elements"))
        }
        defer { currentIndex += 1 }
        return values[currentIndex]
    }

    mutating func decodeNil() throws -> Bool {
        guard !isAtEnd, values[currentIndex].isNull else { return false }
        currentIndex += 1
        return true
    }

    mutating func decode<T: Decodable>(_ type: T.Type) throws -> T {
        let path = currentPath
        return try ValueDecoder.decode(type, from: try next(type), codingPath: path)
    }

    mutating func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    mutating func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    mutating func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    mutating func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    mutating func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    mutating func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    mutating func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    mutating func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    mutating func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }

    private mutating func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        let path = currentPath
        return try BSONNumberDecoding.integer(type, from: try next(type), codingPath: path)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy type: NestedKey.Type
    ) throws
        -> KeyedDecodingContainer<NestedKey>
    {
        let path = currentPath
        return try ValueDecoder(value: try next(BSONDocument.self), codingPath: path).container(keyedBy: type)
    }

    mutating func nestedUnkeyedContainer() throws -> any UnkeyedDecodingContainer {
        let path = currentPath
        return try ValueDecoder(value: try next([BSON].self), codingPath: path).unkeyedContainer()
    }

    mutating func superDecoder() throws -> any Decoder {
        let path = currentPath
        return ValueDecoder(value: try next(BSON.self), codingPath: path)
    }
}

struct SingleValueBSONDecodingContainer: SingleValueDecodingContainer {
    let value: BSON
    let codingPath: [any CodingKey]

    func decodeNil() -> Bool { value.isNull }

    func decode<T: Decodable>(_ type: T.Type) throws -> T {
        try ValueDecoder.decode(type, from: value, codingPath: codingPath)
    }

    func decode(_ type: Int32.Type) throws -> Int32 { try integer(type) }
    func decode(_ type: Int64.Type) throws -> Int64 { try integer(type) }
    func decode(_ type: Int8.Type) throws -> Int8 { try integer(type) }
    func decode(_ type: Int16.Type) throws -> Int16 { try integer(type) }
    func decode(_ type: UInt.Type) throws -> UInt { try integer(type) }
    func decode(_ type: UInt8.Type) throws -> UInt8 { try integer(type) }
    func decode(_ type: UInt16.Type) throws -> UInt16 { try integer(type) }
    func decode(_ type: UInt32.Type) throws -> UInt32 { try integer(type) }
    func decode(_ type: UInt64.Type) throws -> UInt64 { try integer(type) }
    func decode(_ type: Float.Type) throws -> Float { Float(try decode(Double.self)) }

    private func integer<I: FixedWidthInteger>(_ type: I.Type) throws -> I {
        try BSONNumberDecoding.integer(type, from: value, codingPath: codingPath)
    }
}

extension BSON {
    /// MongoDB's name for this value's type, as `$type` reports it.
    public var typeName: String {
        switch self {
        case .double: "double"
        case .string: "string"
        case .document: "object"
        case .array: "array"
        case .binary: "binData"
        case .objectID: "objectId"
        case .bool: "bool"
        case .datetime: "date"
        case .null: "null"
        case .regex: "regex"
        case .int32: "int"
        case .timestamp: "timestamp"
        case .int64: "long"
        case .decimal128: "decimal"
        case .minKey: "minKey"
        case .maxKey: "maxKey"
        }
    }
}
