import Foundation

/// Parses BSON bytes into `BSONDocument`s, checking every length and bound: malformed
/// input is a `BSONError.malformedDocument`, never a trap.
struct BSONReader {
    private let buffer: UnsafeRawBufferPointer
    private var position = 0
    private var depth = 0

    /// Documents nested deeper than this are refused (MongoDB's own limit is 100 levels
    /// for stored documents; replies stay well inside 200).
    static let maximumDepth = 200

    private init(_ buffer: UnsafeRawBufferPointer) {
        self.buffer = buffer
    }

    /// Parses exactly one document occupying all of `buffer`.
    static func parse(_ buffer: UnsafeRawBufferPointer) throws(BSONError) -> BSONDocument {
        var reader = BSONReader(buffer)
        let document = try reader.readDocument()
        guard reader.position == buffer.count else {
            throw BSONError.malformedDocument("\(buffer.count - reader.position) trailing bytes")
        }
        return document
    }

    /// Parses one document from bytes.
    static func parse(_ bytes: [UInt8]) throws(BSONError) -> BSONDocument {
        do {
            return try bytes.withUnsafeBytes { buffer in try parse(buffer) }
        } catch let error as BSONError {
            throw error
        } catch {
            throw BSONError.malformedDocument("unexpected error")
        }
    }

    private mutating func readDocument() throws(BSONError) -> BSONDocument {
        let (end, _) = try enterContainer()
        var fields: [(key: String, value: BSON)] = []
        while position < end - 1 {
            let type = try readByte()
            let key = try readCString()
            fields.append((key, try readValue(type: type)))
        }
        try leaveContainer(end: end)
        return BSONDocument(uncheckedFields: fields)
    }

    private mutating func readArray() throws(BSONError) -> [BSON] {
        let (end, _) = try enterContainer()
        var values: [BSON] = []
        while position < end - 1 {
            let type = try readByte()
            try skipCString()
            values.append(try readValue(type: type))
        }
        try leaveContainer(end: end)
        return values
    }

    private mutating func enterContainer() throws(BSONError) -> (end: Int, length: Int) {
        depth += 1
        guard depth <= Self.maximumDepth else {
            throw BSONError.malformedDocument("nested deeper than \(Self.maximumDepth) levels")
        }
        let start = position
        let length = Int(try readInteger(Int32.self))
        guard length >= 5, start + length <= buffer.count else {
            throw BSONError.malformedDocument("document length \(length) out of bounds at offset \(start)")
        }
        return (start + length, length)
    }

    private mutating func leaveContainer(end: Int) throws(BSONError) {
        guard position == end - 1, buffer[position] == 0 else {
            throw BSONError.malformedDocument("document not terminated where its length says (offset \(end))")
        }
        position = end
        depth -= 1
    }

    private mutating func readValue(type: UInt8) throws(BSONError) -> BSON {
        switch type {
        case 0x01: return .double(Double(bitPattern: try readInteger(UInt64.self)))
        case 0x02: return .string(try readString())
        case 0x03: return .document(try readDocument())
        case 0x04: return .array(try readArray())
        case 0x05:
            let length = Int(try readInteger(Int32.self))
            let subtype = try readByte()
            guard length >= 0 else { throw BSONError.malformedDocument("negative binary length") }
            let data = try readBytes(length)
            return .binary(BSONBinary(data: Data(data), subtype: subtype))
        case 0x07:
            let high = UInt64(bigEndian: try readInteger(UInt64.self))
            let low = UInt32(bigEndian: try readInteger(UInt32.self))
            return .objectID(ObjectID(high: high, low: low))
        case 0x08:
            switch try readByte() {
            case 0: return .bool(false)
            case 1: return .bool(true)
            case let other: throw BSONError.malformedDocument("boolean byte \(other)")
            }
        case 0x09:
            let milliseconds = try readInteger(Int64.self)
            return .datetime(Date(timeIntervalSince1970: Double(milliseconds) / 1000))
        case 0x0A, 0x06: return .null  // 0x06 is the deprecated `undefined`
        case 0x0B:
            let pattern = try readCString()
            let options = try readCString()
            return .regex(BSONRegularExpression(pattern: pattern, options: options))
        case 0x10: return .int32(try readInteger(Int32.self))
        case 0x11:
            let increment = try readInteger(UInt32.self)
            let seconds = try readInteger(UInt32.self)
            return .timestamp(BSONTimestamp(seconds: seconds, increment: increment))
        case 0x12: return .int64(try readInteger(Int64.self))
        case 0x13:
            let low = try readInteger(UInt64.self)
            let high = try readInteger(UInt64.self)
            return .decimal128(BSONDecimal128(low: low, high: high))
        case 0xFF: return .minKey
        case 0x7F: return .maxKey
        default:
            throw BSONError.malformedDocument("unsupported BSON type 0x\(String(type, radix: 16))")
        }
    }

    private mutating func readByte() throws(BSONError) -> UInt8 {
        guard position < buffer.count else { throw BSONError.malformedDocument("unexpected end of data") }
        defer { position += 1 }
        return buffer[position]
    }

    private mutating func readInteger<Integer: FixedWidthInteger>(_: Integer.Type) throws(BSONError) -> Integer {
        let size = MemoryLayout<Integer>.size
        guard position + size <= buffer.count else { throw BSONError.malformedDocument("unexpected end of data") }
        let value = buffer.loadUnaligned(fromByteOffset: position, as: Integer.self)
        position += size
        return Integer(littleEndian: value)
    }

    private mutating func readBytes(_ count: Int) throws(BSONError) -> UnsafeRawBufferPointer {
        guard count >= 0, position + count <= buffer.count else {
            throw BSONError.malformedDocument("unexpected end of data")
        }
        defer { position += count }
        return UnsafeRawBufferPointer(rebasing: buffer[position..<position + count])
    }

    private mutating func readString() throws(BSONError) -> String {
        let length = Int(try readInteger(Int32.self))
        guard length >= 1 else { throw BSONError.malformedDocument("string length \(length)") }
        let raw = try readBytes(length)
        guard raw[length - 1] == 0 else { throw BSONError.malformedDocument("string not NUL-terminated") }
        return String(decoding: UnsafeRawBufferPointer(rebasing: raw[0..<length - 1]), as: UTF8.self)
    }

    private mutating func readCString() throws(BSONError) -> String {
        let start = position
        try skipCString()
        return String(decoding: UnsafeRawBufferPointer(rebasing: buffer[start..<position - 1]), as: UTF8.self)
    }

    private mutating func skipCString() throws(BSONError) {
        guard let end = buffer[position...].firstIndex(of: 0) else {
            throw BSONError.malformedDocument("key not NUL-terminated")
        }
        position = end + 1
    }
}
