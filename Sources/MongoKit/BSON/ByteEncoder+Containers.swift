/// A document being written by the byte encoder; `start` is where its length prefix is.
struct ByteKeyedContainer<Key: CodingKey>: KeyedEncodingContainerProtocol {
    let buffer: ByteEncodingBuffer
    let start: Int

    var codingPath: [any CodingKey] {
        buffer.state.abandon()
        return []
    }

    private func write(_ value: BSON, _ key: Key) throws {
        try buffer.state.write(value, key: key.stringValue, in: start)
    }

    private func write(_ value: some BinaryInteger, _ key: Key) throws {
        let converted = try buffer.state.integer(value)
        try buffer.state.write(converted, key: key.stringValue, in: start)
    }

    mutating func encodeNil(forKey key: Key) throws { try write(.null, key) }
    // The common scalars skip the `BSON` enum: type byte and value bytes as BSONWriter writes them.
    mutating func encode(_ value: Bool, forKey key: Key) throws {
        try buffer.state.write(0x08, key: key.stringValue, in: start) { $0.bytes.append(value ? 1 : 0) }
    }
    mutating func encode(_ value: String, forKey key: Key) throws {
        try buffer.state.write(0x02, key: key.stringValue, in: start) { $0.appendString(value) }
    }
    mutating func encode(_ value: Double, forKey key: Key) throws {
        try buffer.state.write(0x01, key: key.stringValue, in: start) { $0.appendInteger(value.bitPattern) }
    }
    mutating func encode(_ value: Float, forKey key: Key) throws { try encode(Double(value), forKey: key) }
    mutating func encode(_ value: Int, forKey key: Key) throws { try encode(Int64(value), forKey: key) }
    mutating func encode(_ value: Int32, forKey key: Key) throws {
        try buffer.state.write(0x10, key: key.stringValue, in: start) { $0.appendInteger(value) }
    }
    mutating func encode(_ value: Int64, forKey key: Key) throws {
        try buffer.state.write(0x12, key: key.stringValue, in: start) { $0.appendInteger(value) }
    }
    mutating func encode(_ value: Int8, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: Int16, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: UInt, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: UInt8, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: UInt16, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: UInt32, forKey key: Key) throws { try write(value, key) }
    mutating func encode(_ value: UInt64, forKey key: Key) throws { try write(value, key) }

    mutating func encode<T: Encodable>(_ value: T, forKey key: Key) throws {
        if let native = EncoderNode.native(value) {
            return try write(native, key)
        }
        let slot = try buffer.state.beginSlot(key: key.stringValue, in: start)
        try ByteEncoder.encode(value, slot: slot, in: start, buffer: buffer)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type, forKey key: Key
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = buffer.state.openContainer(0x03, key: key.stringValue, in: start)
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(buffer: buffer, start: nested))
    }

    mutating func nestedUnkeyedContainer(forKey key: Key) -> any UnkeyedEncodingContainer {
        ByteUnkeyedContainer(buffer: buffer, start: buffer.state.openContainer(0x04, key: key.stringValue, in: start))
    }

    // A super encoder is written after its parent goes on writing: left to the tree encoder.
    mutating func superEncoder() -> any Encoder {
        buffer.state.abandon()
        return ByteEncoder(buffer: buffer, slot: ByteEncodingState.deadSlot)
    }

    mutating func superEncoder(forKey key: Key) -> any Encoder { superEncoder() }
}

/// An array being written by the byte encoder; `start` is where its length prefix is.
struct ByteUnkeyedContainer: UnkeyedEncodingContainer, ByteScalarEncoding {
    let buffer: ByteEncodingBuffer
    let start: Int
    private(set) var count = 0

    init(buffer: ByteEncodingBuffer, start: Int) {
        self.buffer = buffer
        self.start = start
    }

    var codingPath: [any CodingKey] {
        buffer.state.abandon()
        return []
    }

    mutating func write(_ value: BSON) throws {
        try buffer.state.write(value, index: count, in: start)
        count += 1
    }

    mutating func encode<T: Encodable>(_ value: T) throws {
        if let native = EncoderNode.native(value) {
            return try write(native)
        }
        let slot = try buffer.state.beginSlot(index: count, in: start)
        count += 1
        try ByteEncoder.encode(value, slot: slot, in: start, buffer: buffer)
    }

    mutating func nestedContainer<NestedKey: CodingKey>(
        keyedBy keyType: NestedKey.Type
    ) -> KeyedEncodingContainer<NestedKey> {
        let nested = buffer.state.openContainer(0x03, index: count, in: start)
        count += 1
        return KeyedEncodingContainer(ByteKeyedContainer<NestedKey>(buffer: buffer, start: nested))
    }

    mutating func nestedUnkeyedContainer() -> any UnkeyedEncodingContainer {
        let nested = buffer.state.openContainer(0x04, index: count, in: start)
        count += 1
        return ByteUnkeyedContainer(buffer: buffer, start: nested)
    }

    mutating func superEncoder() -> any Encoder {
        buffer.state.abandon()
        return ByteEncoder(buffer: buffer, slot: ByteEncodingState.deadSlot)
    }
}
