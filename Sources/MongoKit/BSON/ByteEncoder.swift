/// The `Encoder` of `BSONEncoder.encodeBytes`: writes BSON bytes straight into the call's
/// `ByteEncodingBuffer` instead of building a value tree. It produces the same bytes as the
/// tree encoder followed by `BSONWriter`, or gives up (see `ByteEncodingState`) and lets
/// the caller use the tree encoder.
struct ByteEncoder: Encoder {
    let buffer: ByteEncodingBuffer
    /// Where the value goes: the type byte of its element, or `ByteEncodingState.topLevel`.
    let slot: Int

    /// Coding paths are built only by the tree encoder: reading one here abandons the
    /// byte encoding, and the tree encoder encodes the value again with real paths.
    var codingPath: [any CodingKey] {
        buffer.state.abandon()
        return []
    }

    var userInfo: [CodingUserInfoKey: Any] { [:] }

    func container<Key: CodingKey>(keyedBy type: Key.Type) -> KeyedEncodingContainer<Key> {
        let start = buffer.state.openContainer(0x03, slot: slot)
        return KeyedEncodingContainer(ByteKeyedContainer<Key>(buffer: buffer, start: start))
    }

    func unkeyedContainer() -> any UnkeyedEncodingContainer {
        ByteUnkeyedContainer(buffer: buffer, start: buffer.state.openContainer(0x04, slot: slot))
    }

    func singleValueContainer() -> any SingleValueEncodingContainer {
        ByteSingleValueContainer(buffer: buffer, slot: slot)
    }

    /// The BSON bytes of `value` as a document, or `nil` when the byte encoder gave up
    /// (out-of-order container use, an error, or a natively stored top-level value).
    static func encode<T: Encodable>(_ value: T) -> [UInt8]? {
        guard EncoderNode.native(value) == nil else { return nil }
        let buffer = ByteEncodingBuffer()
        do {
            try value.encode(to: ByteEncoder(buffer: buffer, slot: ByteEncodingState.topLevel))
        } catch {
            return nil
        }
        return buffer.state.finish()
    }

    /// Runs `value.encode(to:)` for the element begun at `slot` of the container at
    /// `start`, then closes what it opened.
    static func encode<T: Encodable>(
        _ value: T, slot: Int, in start: Int, buffer: ByteEncodingBuffer
    ) throws {
        do {
            try value.encode(to: ByteEncoder(buffer: buffer, slot: slot))
        } catch {
            // User code may swallow the error; abandoning makes the attempt fail anyway.
            buffer.state.abandon()
            throw error
        }
        try buffer.state.endSlot(slot, in: start)
    }
}

/// The single value of one slot: a scalar, or a value whose own `encode(to:)` fills the slot.
struct ByteSingleValueContainer: SingleValueEncodingContainer, ByteScalarEncoding {
    let buffer: ByteEncodingBuffer
    let slot: Int

    var codingPath: [any CodingKey] {
        buffer.state.abandon()
        return []
    }

    func write(_ value: BSON) throws {
        try buffer.state.write(value, slot: slot)
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let native = EncoderNode.native(value) {
            return try write(native)
        }
        // The value's own encoding fills this same slot (e.g. a wrapper around a struct).
        do {
            try value.encode(to: ByteEncoder(buffer: buffer, slot: slot))
        } catch {
            buffer.state.abandon()
            throw error
        }
    }
}

/// The one growing buffer of one `BSONEncoder.encodeBytes` call, shared by every encoder
/// and container of that call.
final class ByteEncodingBuffer {
    // Every access to `state` is one short call into ByteEncodingState that runs no user
    // code (`encode(to:)` is always called between accesses, never inside one). The
    // runtime's exclusivity check stays on all the same (it costs ~10% of an encode).
    var state = ByteEncodingState()
}

/// Thrown through `encode(to:)` once the byte encoder has given up on a value; the caller
/// then encodes it again with the tree encoder, which gives the right bytes or error.
struct ByteEncodingAbandoned: Error {}

/// The scalar half of `SingleValueEncodingContainer` and `UnkeyedEncodingContainer`, which
/// the byte encoder's two containers share: every scalar becomes one BSON value, written
/// by the container's `write`.
protocol ByteScalarEncoding {
    var buffer: ByteEncodingBuffer { get }
    /// Writes one value where the container writes next.
    mutating func write(_ value: BSON) throws
}

extension ByteScalarEncoding {
    /// Other integer widths: as `BSONNumbers` converts them (an error past `Int64`).
    private mutating func write(_ value: some BinaryInteger) throws {
        try write(try buffer.state.integer(value))
    }

    mutating func encodeNil() throws { try write(.null) }
    mutating func encode(_ value: Bool) throws { try write(.bool(value)) }
    mutating func encode(_ value: String) throws { try write(.string(value)) }
    mutating func encode(_ value: Double) throws { try write(.double(value)) }
    mutating func encode(_ value: Float) throws { try write(.double(Double(value))) }
    mutating func encode(_ value: Int) throws { try write(.int64(Int64(value))) }
    mutating func encode(_ value: Int32) throws { try write(.int32(value)) }
    mutating func encode(_ value: Int64) throws { try write(.int64(value)) }
    mutating func encode(_ value: Int8) throws { try write(value) }
    mutating func encode(_ value: Int16) throws { try write(value) }
    mutating func encode(_ value: UInt) throws { try write(value) }
    mutating func encode(_ value: UInt8) throws { try write(value) }
    mutating func encode(_ value: UInt16) throws { try write(value) }
    mutating func encode(_ value: UInt32) throws { try write(value) }
    mutating func encode(_ value: UInt64) throws { try write(value) }
}
