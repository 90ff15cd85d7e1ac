/// One line of a head's field section (RFC 9112 §5), read from bytes: a field, or the
/// empty line that ends the section. Shared by `WireRequestHead` and `WireResponseHead`.
enum WireFieldLine {
    enum Outcome {
        /// The bytes end inside the line.
        case incomplete
        /// The line is outside what the reader takes.
        case invalid
        /// A field; the next line starts at `next`.
        case field(WireRequestHead.Field, next: Int)
        /// The empty line; the body starts at `next`.
        case end(next: Int)
    }

    /// Reads the line at `index`: a name of token characters directly followed by `:`,
    /// optional spaces and tabs, a value, CRLF.
    /// - Parameter strict: A request's rule: a value of visible ASCII, spaces and tabs only,
    ///   with no trailing space or tab (NIO's parser keeps some of it in the value). Without
    ///   it (an upstream's answer), obs-text is taken too and trailing whitespace trimmed.
    static func read(_ bytes: UnsafeRawBufferPointer, at start: Int, strict: Bool) -> Outcome {
        var index = start
        guard index < bytes.count else { return .incomplete }
        if bytes[index] == UInt8(ascii: "\r") {
            guard index + 1 < bytes.count else { return .incomplete }
            return bytes[index + 1] == UInt8(ascii: "\n") ? .end(next: index + 2) : .invalid
        }
        let tokenBytes = WireRequestHead.tokenBytes  // read once, not once a byte
        while true {
            // Letters (most of a name) are skipped eight at a time, up to the first byte that
            // is not one; that one is looked up alone.
            index = skipWords(bytes, from: index, while: nonLetterBytes)
            guard index < bytes.count, tokenBytes[Int(bytes[index])] else { break }
            index += 1
        }
        guard index < bytes.count else { return .incomplete }
        guard index > start, bytes[index] == UInt8(ascii: ":") else { return .invalid }
        let name = start..<index
        index += 1
        while index < bytes.count, isWhitespace(bytes[index]) { index += 1 }
        let valueStart = index
        while true {
            // Printable ASCII — visible and space, most of a value — which both rules take, is
            // skipped sixteen and then eight bytes at a time, up to the first byte that is not;
            // that one is looked at alone.
            while index + 16 <= bytes.count,
                nonPrintableBytes(WireBytes.word(bytes, at: index))
                    | nonPrintableBytes(WireBytes.word(bytes, at: index + 8)) == 0
            {
                index += 16
            }
            index = skipWords(bytes, from: index, while: nonPrintableBytes)
            guard index < bytes.count else { break }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\r") { break }
            let allowed = byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F && (!strict || byte < 0x80))
            guard allowed else { return .invalid }
            index += 1
        }
        guard index + 1 < bytes.count else { return .incomplete }
        var valueEnd = index  // trailing spaces and tabs are not the value's
        while valueEnd > valueStart, isWhitespace(bytes[valueEnd - 1]) { valueEnd -= 1 }
        guard bytes[index + 1] == UInt8(ascii: "\n"), !strict || valueEnd == index else { return .invalid }
        return .field(WireRequestHead.Field(name: name, value: valueStart..<valueEnd), next: index + 2)
    }

    /// The index after the eight-byte words from `start` on in which `others` flags no byte,
    /// up to the first byte it flags (`others` as `nonLetterBytes`: nonzero, its lowest set
    /// bit in the first such byte), or to the end of the last whole word.
    @inline(__always)
    private static func skipWords(
        _ bytes: UnsafeRawBufferPointer, from start: Int, while others: (UInt64) -> UInt64
    ) -> Int {
        var index = start
        while index + 8 <= bytes.count {
            let flagged = others(WireBytes.word(bytes, at: index))
            guard flagged == 0 else { return index + flagged.trailingZeroBitCount / 8 }
            index += 8
        }
        return index
    }

    /// Nonzero when some byte of `word` is below 0x20 or above 0x7E (a control, DEL or
    /// obs-text); zero when all eight are printable ASCII (visible or a space). Its lowest set
    /// bit is in the first such byte (in memory order, `word` read little-endian): borrows
    /// and carries run only upwards from a byte that is one, so the bytes below it are exact.
    static func nonPrintableBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let hasByteBelow0x20 = (word &- ones &* 0x20) & ~word & highBits
        let hasByteAbove0x7E = ((word &+ ones) | word) & highBits
        return hasByteBelow0x20 | hasByteAbove0x7E
    }

    /// Nonzero when some byte of `word` is not an ASCII letter; its lowest set bit is in the
    /// first such byte, as in `nonPrintableBytes`. (Setting bit 5 makes a capital lowercase and
    /// no other byte a letter.)
    static func nonLetterBytes(_ word: UInt64) -> UInt64 {
        let ones: UInt64 = 0x0101_0101_0101_0101
        let highBits: UInt64 = 0x8080_8080_8080_8080
        let folded = word | 0x2020_2020_2020_2020
        let hasByteBelowA = (folded &- ones &* 0x61) & ~folded & highBits
        let hasByteAboveZ = ((folded &+ ones &* 0x05) | folded) & highBits
        return hasByteBelowA | hasByteAboveZ
    }

    private static func isWhitespace(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
