extension BSONDocument {
    /// Parses one BSON document from its bytes.
    /// - Throws: `BSONError.malformedDocument` when the bytes are not exactly one valid document.
    public init(bytes: [UInt8]) throws(BSONError) {
        self = try BSONReader.parse(bytes)
    }

    /// Parses one BSON document from a buffer the caller owns for the duration of the call.
    /// - Throws: `BSONError.malformedDocument` when the bytes are not exactly one valid document.
    public init(bytes: UnsafeRawBufferPointer) throws(BSONError) {
        self = try BSONReader.parse(bytes)
    }

    /// The document's BSON bytes.
    /// - Throws: `BSONError.unrepresentable` for a key containing NUL or an out-of-range date.
    public func bytes() throws(BSONError) -> [UInt8] {
        try BSONWriter.serialize(self)
    }
}
