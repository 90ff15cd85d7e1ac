// Values after an element header. Anything BSONWriter or BSONNumbers refuses abandons the
// attempt, so the tree encoder reports it exactly as it always has.

extension ByteEncodingState {
    /// Appends `value` after its element header; abandons on what BSONWriter refuses
    /// (a date out of range, binary over 2 GiB), leaving the error to the tree encoder.
    mutating func writeValue(_ value: BSON) throws(ByteEncodingAbandoned) {
        do throws(BSONError) {
            try writer.writeValue(value)
        } catch {
            abandon()
            throw ByteEncodingAbandoned()
        }
    }

    /// The BSON value of an integer the way the tree encoder converts it (`BSONNumbers`).
    mutating func integer(_ value: some BinaryInteger) throws(ByteEncodingAbandoned) -> BSON {
        do {
            return try BSONNumbers.bson(value, codingPath: [])
        } catch {
            abandon()
            throw ByteEncodingAbandoned()
        }
    }

    /// Writes `value` as a new element `key` of the document at `start`.
    @inline(__always)
    mutating func write(_ value: BSON, key: String, in start: Int) throws(ByteEncodingAbandoned) {
        try beginElement(value.typeByte, key: key, in: start)
        try writeValue(value)
    }

    /// Writes `value` as the element at `index` of the array at `start`.
    @inline(__always)
    mutating func write(_ value: BSON, index: Int, in start: Int) throws(ByteEncodingAbandoned) {
        try beginElement(value.typeByte, index: index, in: start)
        try writeValue(value)
    }

    /// Writes `value` as the single value of the pending `slot`.
    @inline(__always)
    mutating func write(_ value: BSON, slot: Int) throws(ByteEncodingAbandoned) {
        try beginElement(value.typeByte, slot: slot)
        try writeValue(value)
    }

    /// Writes an element of `type` whose value `body` appends, as `key` of the document at `start`.
    @inline(__always)
    mutating func write(
        _ type: UInt8, key: String, in start: Int, _ body: (inout BSONWriter) -> Void
    ) throws(ByteEncodingAbandoned) {
        try beginElement(type, key: key, in: start)
        body(&writer)
    }
}
