import Foundation

/// Serialises `BSONDocument`s to BSON bytes (the wire format libbson wraps).
///
/// The byte encoder (`ByteEncodingState`) appends to `bytes` directly and uses the
/// `append…`/`writeValue` helpers, so both produce the same bytes for the same value.
struct BSONWriter {
    var bytes: [UInt8] = []

    init(capacity: Int = 256) {
        bytes.reserveCapacity(capacity)
    }

    /// The bytes of one document.
    static func serialize(_ document: BSONDocument) throws(BSONError) -> [UInt8] {
        var writer = BSONWriter()
        try writer.write(document)
        return writer.bytes
    }

    mutating func write(_ document: BSONDocument) throws(BSONError) {
        let start = bytes.count
        appendInteger(Int32(0))
        for (key, value) in document.fields {
            try writeElement(key: key, value: value)
        }
        bytes.append(0)
        patchLength(at: start)
    }

    private mutating func writeArray(_ values: [BSON]) throws(BSONError) {
        let start = bytes.count
        appendInteger(Int32(0))
        for (index, value) in values.enumerated() {
            try writeElement(key: String(index), value: value)
        }
        bytes.append(0)
        patchLength(at: start)
    }

    private mutating func writeElement(key: String, value: BSON) throws(BSONError) {
        bytes.append(value.typeByte)
        try appendCString(key, what: "key")
        try writeValue(value)
    }

    /// Appends what follows an element's type byte and key: the value itself.
    mutating func writeValue(_ value: BSON) throws(BSONError) {
        switch value {
        case .double(let number):
            appendInteger(number.bitPattern)
        case .string(let text):
            appendString(text)
        case .document(let document):
            try write(document)
        case .array(let values):
            try writeArray(values)
        case .binary(let binary):
            guard let length = Int32(exactly: binary.data.count) else {
                throw BSONError.unrepresentable("binary larger than 2 GiB")
            }
            appendInteger(length)
            bytes.append(binary.subtype)
            bytes.append(contentsOf: binary.data)
        case .objectID(let id):
            appendInteger(id.high.bigEndian)
            appendInteger(id.low.bigEndian)
        case .bool(let flag):
            bytes.append(flag ? 1 : 0)
        case .datetime(let date):
            appendInteger(try Self.milliseconds(date))
        case .null, .minKey, .maxKey:
            break
        case .regex(let regex):
            try appendCString(regex.pattern, what: "regex pattern")
            try appendCString(regex.options, what: "regex options")
        case .int32(let number):
            appendInteger(number)
        case .timestamp(let stamp):
            appendInteger(stamp.increment)
            appendInteger(stamp.seconds)
        case .int64(let number):
            appendInteger(number)
        case .decimal128(let decimal):
            appendInteger(decimal.low)
            appendInteger(decimal.high)
        }
    }

    /// Milliseconds since the epoch, as BSON stores datetimes.
    static func milliseconds(_ date: Date) throws(BSONError) -> Int64 {
        let milliseconds = (date.timeIntervalSince1970 * 1000).rounded(.down)
        guard let exact = Int64(exactly: milliseconds) else {
            throw BSONError.unrepresentable("date outside the BSON datetime range")
        }
        return exact
    }

    mutating func appendInteger<Integer: FixedWidthInteger>(_ value: Integer) {
        // Byte by byte (unrolled once specialised) beats appending a raw buffer's contents.
        var remaining = value
        for _ in 0..<MemoryLayout<Integer>.size {
            bytes.append(UInt8(truncatingIfNeeded: remaining))
            remaining >>= 8
        }
    }

    mutating func appendString(_ text: String) {
        var text = text
        text.withUTF8 { utf8 in
            appendInteger(Int32(truncatingIfNeeded: utf8.count + 1))
            bytes.append(contentsOf: utf8)
        }
        bytes.append(0)
    }

    private mutating func appendCString(_ text: String, what: String) throws(BSONError) {
        var text = text
        let hasNUL = text.withUTF8 { utf8 in
            if utf8.contains(0) { return true }
            bytes.append(contentsOf: utf8)
            return false
        }
        guard !hasNUL else { throw BSONError.unrepresentable("\(what) contains a NUL byte") }
        bytes.append(0)
    }

    mutating func patchLength(at start: Int) {
        let length = Int32(truncatingIfNeeded: bytes.count - start).littleEndian
        withUnsafeBytes(of: length) { raw in
            for offset in 0..<4 {
                bytes[start + offset] = raw[offset]
            }
        }
    }
}
