#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A request field line the wire path's reader accepted on this connection before — name
/// to CRLF, byte for byte. A line with exactly these bytes is accepted again without its
/// bytes being looked at one by one (`WireRequestHead.parse(_:reusing:knownLine:)`): a
/// client sends the same `Authorization` line, a token of some 400 bytes, on every request.
struct KnownFieldLine {
    /// The line, CRLF included.
    private let bytes: [UInt8]
    /// The field as `WireFieldLine.read` found it, its ranges counted from the line's start.
    private let field: WireRequestHead.Field

    /// The line of `field` in `head`, when it ends with CRLF right after the value (as every
    /// line of a request head read under the strict rule does); else `nil`.
    init?(_ field: WireRequestHead.Field, in head: UnsafeRawBufferPointer) {
        let start = field.name.lowerBound
        let end = field.value.upperBound + 2
        guard end <= head.count, head[end - 2] == UInt8(ascii: "\r"), head[end - 1] == UInt8(ascii: "\n") else {
            return nil
        }
        bytes = Array(UnsafeRawBufferPointer(rebasing: head[start..<end]))
        self.field = WireRequestHead.Field(
            name: 0..<field.name.count, value: (field.value.lowerBound - start)..<(field.value.upperBound - start))
    }

    /// The line's length, CRLF included.
    var count: Int { bytes.count }

    /// The field's value bytes.
    func withValue<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        bytes.withUnsafeBytes { body(UnsafeRawBufferPointer(rebasing: $0[field.value])) }
    }

    /// The field, if the bytes at `offset` are this line.
    func field(in head: UnsafeRawBufferPointer, at offset: Int) -> WireRequestHead.Field? {
        guard head.count - offset >= bytes.count, head[offset] == bytes[0], let base = head.baseAddress else {
            return nil
        }
        let isSame = bytes.withUnsafeBytes { own in memcmp(own.baseAddress!, base + offset, own.count) == 0 }
        guard isSame else { return nil }
        return WireRequestHead.Field(
            name: (field.name.lowerBound + offset)..<(field.name.upperBound + offset),
            value: (field.value.lowerBound + offset)..<(field.value.upperBound + offset))
    }
}
