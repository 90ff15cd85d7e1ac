/// Small readers of header bytes shared by the wire path's parsers.
enum WireBytes {
    /// The bytes of `range`, ASCII letters lowercased (a small string for names up to 15
    /// bytes: no allocation).
    static func lowercased(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(unsafeUninitializedCapacity: range.count) { buffer in
            for (offset, index) in range.enumerated() {
                buffer[offset] = lowercased(bytes[index])
            }
            return range.count
        }
    }

    /// Whether the bytes at `range` start with `lowercasePrefix`, ASCII letters in any case
    /// (`equalsIgnoringCase` when the prefix is as long as the range).
    static func startsIgnoringCase(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercasePrefix: [UInt8]
    ) -> Bool {
        guard range.count >= lowercasePrefix.count else { return false }
        for (offset, expected) in lowercasePrefix.enumerated()
        where lowercased(bytes[range.lowerBound + offset]) != expected {
            return false
        }
        return true
    }

    /// Whether the bytes at `range` are `lowercase`, ASCII letters in any case.
    static func equalsIgnoringCase(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: [UInt8]) -> Bool {
        range.count == lowercase.count && startsIgnoringCase(bytes, range, lowercase)
    }

    private static func lowercased(_ byte: UInt8) -> UInt8 {
        byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
    }

    /// The eight bytes at `offset`, the first in the lowest byte (for tests of eight bytes at
    /// once).
    static func word(_ bytes: UnsafeRawBufferPointer, at offset: Int) -> UInt64 {
        UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    /// The bytes of `range` as a string, unchanged.
    static func string(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> String {
        String(decoding: UnsafeRawBufferPointer(rebasing: bytes[range]), as: UTF8.self)
    }

    /// A non-negative decimal of at most 15 digits (no sign, no spaces), else `nil`.
    static func decimal(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Int? {
        guard !range.isEmpty, range.count <= 15 else { return nil }
        var value = 0
        for index in range {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return nil }
            value = value * 10 + Int(byte - UInt8(ascii: "0"))
        }
        return value
    }
}
