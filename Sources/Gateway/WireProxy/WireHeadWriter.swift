/// Writes a head's pieces straight into memory a `ByteBuffer` lends
/// (`writeWithUnsafeMutableBytes`): one access to the buffer for a whole head instead of
/// one per piece. A piece that does not fit is dropped and `overflowed` set — the caller's
/// bound was wrong, and it gives the head up; nothing is written past the memory.
struct WireHeadWriter {
    private let memory: UnsafeMutableRawBufferPointer
    /// The bytes written so far.
    private(set) var count = 0
    /// Some piece did not fit (and was dropped).
    private(set) var overflowed = false

    init(_ memory: UnsafeMutableRawBufferPointer) {
        self.memory = memory
    }

    // Inlined: a piece of known length (a literal) is then copied without a call.
    @inline(__always)
    mutating func append(_ bytes: UnsafeRawBufferPointer) {
        guard !overflowed, bytes.count <= memory.count - count else {
            overflowed = true
            return
        }
        guard let source = bytes.baseAddress, let destination = memory.baseAddress, !bytes.isEmpty else { return }
        (destination + count).copyMemory(from: source, byteCount: bytes.count)
        count += bytes.count
    }

    @inline(__always)
    mutating func append(_ text: StaticString) {
        append(UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount))
    }

    /// Bytes made once and kept (a field line, a path prefix).
    @inline(__always)
    mutating func append(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { append($0) }
    }

    /// A string's UTF-8. (Not an overload of `append(_:)`: a literal would pick this one,
    /// with a retain and a check of its storage, over `StaticString`.)
    mutating func append(string text: String) {
        var text = text
        text.withUTF8 { append(UnsafeRawBufferPointer($0)) }
    }

    /// A field line, `name: value` and CRLF, of a field read from `bytes`: the line as it
    /// came when it is already written so (one space after the colon, nothing after the
    /// value), else rebuilt.
    mutating func append(_ field: WireRequestHead.Field, of bytes: UnsafeRawBufferPointer) {
        let colon = field.name.upperBound
        let isCanonical =
            field.value.lowerBound == colon + 2 && bytes[colon + 1] == UInt8(ascii: " ")
            && bytes[field.value.upperBound] == UInt8(ascii: "\r")
        if isCanonical {
            append(UnsafeRawBufferPointer(rebasing: bytes[field.name.lowerBound..<(field.value.upperBound + 2)]))
            return
        }
        append(UnsafeRawBufferPointer(rebasing: bytes[field.name]))
        append(": ")
        append(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
        append("\r\n")
    }

    /// A request id's field line: `name` (with its `: `), the id, CRLF.
    mutating func append(field nameAndColon: StaticString, _ id: WireRequestID) {
        append(nameAndColon)
        id.withUTF8 { append($0) }
        append("\r\n")
    }

    /// A non-negative number in decimal.
    mutating func append(decimal value: Int) {
        withUnsafeTemporaryAllocation(of: UInt8.self, capacity: 20) { digits in
            var remaining = max(0, value)
            var start = digits.count
            repeat {
                start -= 1
                digits[start] = UInt8(ascii: "0") + UInt8(remaining % 10)
                remaining /= 10
            } while remaining > 0
            append(UnsafeRawBufferPointer(UnsafeMutableBufferPointer(rebasing: digits[start...])))
        }
    }
}
