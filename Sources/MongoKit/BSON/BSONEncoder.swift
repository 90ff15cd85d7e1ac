import Foundation

/// Encodes `Encodable` values to BSON: `Date` as a BSON datetime, `ObjectID` as an
/// ObjectId, `Data` as binary, `Int` as int64, enums by their raw value (strings stay
/// strings), `nil` optionals left out.
///
/// Errors are `EncodingError`s whose context's `codingPath` names the offending key.
public struct BSONEncoder: Sendable {
    public init() {}

    /// Encodes a value that encodes as a document (a struct or class with keyed fields).
    /// - Throws: `EncodingError.invalidValue` when the value is not a document or a field
    ///   cannot be represented (e.g. a `UInt64` over `Int64.max`).
    public func encode(_ value: some Encodable) throws -> BSONDocument {
        let encoded = try encodeValue(value)
        guard case .document(let document) = encoded else {
            throw EncodingError.invalidValue(
                value, .init(codingPath: [], debugDescription: "top-level value does not encode as a document"))
        }
        return document
    }

    /// Encodes a value that encodes as a document straight to that document's BSON bytes,
    /// the same bytes as `encode(value).bytes()` without building the document first.
    ///
    /// Synthesized `Codable` conformances take the fast path; a type that uses containers
    /// out of order (a nested container written after its parent went on, `superEncoder`,
    /// a key written twice) or reads `codingPath` is encoded again through `encode(_:)`.
    /// - Returns: The document's bytes, ready for libbson (`bson_new_from_data`).
    /// - Throws: `EncodingError.invalidValue` as `encode(_:)` does; `BSONError.unrepresentable`
    ///   as `BSONDocument.bytes()` does (a key containing NUL, a date out of range).
    public func encodeBytes(_ value: some Encodable) throws -> [UInt8] {
        if let bytes = ByteEncoder.encode(value) {
            return bytes
        }
        return try BSONWriter.serialize(encode(value))
    }

    /// Encodes any `Encodable` value to a `BSON` value.
    /// - Throws: `EncodingError.invalidValue` naming the key path of what cannot be stored.
    public func encodeValue(_ value: some Encodable) throws -> BSON {
        try EncoderNode.encode(value, codingPath: []).materialize()
    }
}

/// A value under construction: documents and arrays stay mutable (reference boxes)
/// until the whole tree is encoded, because nested containers outlive their creation call.
enum EncoderNode {
    case value(BSON)
    case document(DocumentBox)
    case array(ArrayBox)
    case deferred(ValueEncoder)

    final class DocumentBox {
        var fields: [(key: String, node: EncoderNode)] = []

        func set(_ key: String, _ node: EncoderNode) {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                fields[index].node = node
            } else {
                fields.append((key, node))
            }
        }
    }

    final class ArrayBox {
        var items: [EncoderNode] = []
    }

    func materialize() throws -> BSON {
        switch self {
        case .value(let value):
            return value
        case .document(let box):
            var fields: [(key: String, value: BSON)] = []
            fields.reserveCapacity(box.fields.count)
            for field in box.fields {
                fields.append((field.key, try field.node.materialize()))
            }
            return .document(BSONDocument(uncheckedFields: fields))
        case .array(let box):
            return .array(try box.items.map { try $0.materialize() })
        case .deferred(let encoder):
            return try (encoder.node ?? .document(DocumentBox())).materialize()
        }
    }

    /// Encodes one value, short-circuiting the types BSON stores natively.
    static func encode<T: Encodable>(_ value: T, codingPath: [any CodingKey]) throws -> EncoderNode {
        if let native = native(value) { return .value(native) }
        return try encodeThroughCoding(value, codingPath: codingPath)
    }

    /// Encodes a field: a native value needs no coding path, so the path (an array
    /// allocation per field) is built only for values that go through `encode(to:)`.
    static func encode<T: Encodable>(
        _ value: T, parentPath: [any CodingKey], key: some CodingKey
    ) throws -> EncoderNode {
        if let native = native(value) { return .value(native) }
        return try encodeThroughCoding(value, codingPath: parentPath + [key])
    }

    /// The BSON value of a type BSON stores natively, else `nil`. Metatype comparisons,
    /// not dynamic casts: this runs for every non-primitive field.
    @inline(__always)
    static func native<T: Encodable>(_ value: T) -> BSON? {
        if T.self == ObjectID.self { return .objectID(unsafeBitCast(value, to: ObjectID.self)) }
        if T.self == Date.self { return .datetime(unsafeBitCast(value, to: Date.self)) }
        if T.self == String.self { return .string(unsafeBitCast(value, to: String.self)) }
        if T.self == Int.self { return .int64(Int64(unsafeBitCast(value, to: Int.self))) }
        if T.self == Bool.self { return .bool(unsafeBitCast(value, to: Bool.self)) }
        if T.self == Double.self { return .double(unsafeBitCast(value, to: Double.self)) }
        if T.self == BSON.self { return unsafeBitCast(value, to: BSON.self) }
        if T.self == BSONDocument.self { return .document(unsafeBitCast(value, to: BSONDocument.self)) }
        if T.self == Data.self { return .binary(BSONBinary(data: unsafeBitCast(value, to: Data.self))) }
        if T.self == BSONBinary.self { return .binary(unsafeBitCast(value, to: BSONBinary.self)) }
        if T.self == BSONDecimal128.self { return .decimal128(unsafeBitCast(value, to: BSONDecimal128.self)) }
        if T.self == URL.self { return .string(unsafeBitCast(value, to: URL.self).absoluteString) }
        return nil
    }

    private static func encodeThroughCoding<T: Encodable>(
        _ value: T, codingPath: [any CodingKey]
    ) throws -> EncoderNode {
        let encoder = ValueEncoder(codingPath: codingPath)
        try value.encode(to: encoder)
        guard let node = encoder.node else {
            // A type that encoded nothing, e.g. an empty keyed container never requested.
            return .document(DocumentBox())
        }
        return node
    }
}

/// The `Encoder` handed to `encode(to:)`; it records the single container requested.
final class ValueEncoder: Encoder {
    let codingPath: [any CodingKey]
    let userInfo: [CodingUserInfoKey: Any] = [:]
    var node: EncoderNode?

    init(codingPath: [any CodingKey]) {
        self.codingPath = codingPath
    }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let box: EncoderNode.DocumentBox
        if case .document(let existing) = node {
            box = existing
        } else {
            box = EncoderNode.DocumentBox()
            node = .document(box)
        }
        return KeyedEncodingContainer(KeyedBSONEncodingContainer<Key>(box: box, codingPath: codingPath))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        let box: EncoderNode.ArrayBox
        if case .array(let existing) = node {
            box = existing
        } else {
            box = EncoderNode.ArrayBox()
            node = .array(box)
        }
        return UnkeyedBSONEncodingContainer(box: box, codingPath: codingPath)
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        SingleValueBSONEncodingContainer(encoder: self)
    }
}

/// Integer and float conversions shared by every container.
enum BSONNumbers {
    static func bson(_ value: some BinaryInteger, codingPath: [any CodingKey]) throws -> BSON {
        switch value {
        case let value as Int32: return .int32(value)
        case let value as Int16: return .int32(Int32(value))
        case let value as Int8: return .int32(Int32(value))
        case let value as UInt16: return .int32(Int32(value))
        case let value as UInt8: return .int32(Int32(value))
        default:
            guard let exact = Int64(exactly: value) else {
                throw EncodingError.invalidValue(
                    value, .init(codingPath: codingPath, debugDescription: "integer does not fit in int64"))
            }
            return .int64(exact)
        }
    }
}

struct KeyedBSONEncodingContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let box: EncoderNode.DocumentBox
    let codingPath: [any CodingKey]

    mutating func encodeNil(forKey key: Key) throws { box.set(key.stringValue, .value(.null)) }
    mutating func encode(_ value: Bool, forKey key: Key) throws { box.set(key.stringValue, .value(.bool(value))) }
    mutating func encode(_ value: String, forKey key: Key) throws { box.set(key.stringValue, .value(.string(value))) }
    mutating func encode(_ value: Double, forKey key: Key) throws { box.set(key.stringValue, .value(.double(value))) }
    mutating func encode(_ value: Float, forKey key: Key) throws {
        box.set(key.stringValue, .value(.double(Double(value))))
    }
    mutating func encode(_ value: Int, forKey key: Key) throws {
        box.set(key.stringValue, .value(.int64(Int64(value))))
    }
    mutating func encode(_ value: Int32, forKey key: Key) throws { box.set(key.stringValue, .value(.int32(value))) }
    mutating func encode(_ value: Int64, forKey key: Key) throws { box.set(key.stringValue, .value(.int64(value))) }
    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        box.set(key.stringValue, try EncoderNode.encode(value, parentPath: codingPath, key: key))
    }

    mutating func encode(_ value: Int8, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try encodeInteger(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try encodeInteger(value, key) }

    private func encodeInteger(_ value: some BinaryInteger, _ key: Key) throws {
        box.set(key.stringValue, .value(try BSONNumbers.bson(value, codingPath: codingPath + [key])))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = EncoderNode.DocumentBox()
        box.set(key.stringValue, .document(nested))
        return KeyedEncodingContainer(
            KeyedBSONEncodingContainer<NestedKey>(box: nested, codingPath: codingPath + [key]))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        let nested = EncoderNode.ArrayBox()
        box.set(key.stringValue, .array(nested))
        return UnkeyedBSONEncodingContainer(box: nested, codingPath: codingPath + [key])
    }

    // "super" as a key of its own: `Key` (e.g. synthesized `CodingKeys`) need not have it.
    mutating func superEncoder() -> any Encoder { superEncoder(key: DynamicKey("super")) }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder(key: key) }

    private func superEncoder(key: some CodingKey) -> any Encoder {
        let encoder = ValueEncoder(codingPath: codingPath + [key])
        box.set(key.stringValue, .deferred(encoder))
        return encoder
    }
}

struct UnkeyedBSONEncodingContainer: UnkeyedEncodingContainer {
    let box: EncoderNode.ArrayBox
    let codingPath: [any CodingKey]
    var count: Int { box.items.count }

    private var nextKey: IndexKey { IndexKey(intValue: box.items.count) }

    mutating func encodeNil() throws { box.items.append(.value(.null)) }
    mutating func encode(_ value: Bool) throws { box.items.append(.value(.bool(value))) }
    mutating func encode(_ value: String) throws { box.items.append(.value(.string(value))) }
    mutating func encode(_ value: Double) throws { box.items.append(.value(.double(value))) }
    mutating func encode(_ value: Float) throws { box.items.append(.value(.double(Double(value)))) }
    mutating func encode(_ value: Int) throws { box.items.append(.value(.int64(Int64(value)))) }
    mutating func encode(_ value: Int32) throws { box.items.append(.value(.int32(value))) }
    mutating func encode(_ value: Int64) throws { box.items.append(.value(.int64(value))) }
    mutating func encode(_ value: Int8) throws { try encodeInteger(value) }
    mutating func encode(_ value: Int16) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt8) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt16) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt32) throws { try encodeInteger(value) }
    mutating func encode(_ value: UInt64) throws { try encodeInteger(value) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        box.items.append(try EncoderNode.encode(value, parentPath: codingPath, key: nextKey))
    }

    private func encodeInteger(_ value: some BinaryInteger) throws {
        box.items.append(.value(try BSONNumbers.bson(value, codingPath: codingPath + [nextKey])))
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    )
        -> KeyedEncodingContainer<NestedKey>
    {
        let nested = EncoderNode.DocumentBox()
        let path = codingPath + [nextKey]
        box.items.append(.document(nested))
        return KeyedEncodingContainer(KeyedBSONEncodingContainer<NestedKey>(box: nested, codingPath: path))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = EncoderNode.ArrayBox()
        let path = codingPath + [nextKey]
        box.items.append(.array(nested))
        return UnkeyedBSONEncodingContainer(box: nested, codingPath: path)
    }

    mutating func superEncoder() -> any Encoder {
        let encoder = ValueEncoder(codingPath: codingPath + [nextKey])
        box.items.append(.deferred(encoder))
        return encoder
    }
}

struct SingleValueBSONEncodingContainer: SingleValueEncodingContainer {
    let encoder: ValueEncoder
    var codingPath: [any CodingKey] { encoder.codingPath }

    private func store(_ value: BSON) { encoder.node = .value(value) }

    mutating func encodeNil() throws { store(.null) }
    mutating func encode(_ value: Bool) throws { store(.bool(value)) }
    mutating func encode(_ value: String) throws { store(.string(value)) }
    mutating func encode(_ value: Double) throws { store(.double(value)) }
    mutating func encode(_ value: Float) throws { store(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { store(.int64(Int64(value))) }
    mutating func encode(_ value: Int32) throws { store(.int32(value)) }
    mutating func encode(_ value: Int64) throws { store(.int64(value)) }
    mutating func encode(_ value: Int8) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: Int16) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: UInt) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: UInt8) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: UInt16) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: UInt32) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode(_ value: UInt64) throws { store(try BSONNumbers.bson(value, codingPath: codingPath)) }
    mutating func encode<T: Encodable>(_ value: T) throws {
        encoder.node = try EncoderNode.encode(value, codingPath: codingPath)
    }
}

/// An array position as a coding key, so error paths read `items[3]`.
struct IndexKey: CodingKey {
    let intValue: Int?
    var stringValue: String { String(intValue ?? 0) }

    init(intValue: Int) { self.intValue = intValue }
    init?(stringValue: String) {
        guard let index = Int(stringValue) else { return nil }
        intValue = index
    }
}
