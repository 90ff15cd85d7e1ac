/// Finds where a chunked body ends (RFC 9112 §7.1) as its bytes pass through, without
/// decoding it: the wire path forwards the chunks as the upstream framed them, and needs
/// only the end, to know when the answer is complete and the connection free again.
struct ChunkedBodyScanner {
    enum Failure: Error { case malformed }

    private enum State {
        case size(value: Int, digits: Int)
        case sizeExtension(value: Int)
        case sizeLineFeed(value: Int)
        case data(remaining: Int)
        case dataCarriageReturn
        case dataLineFeed
        case trailerLineStart
        case trailerLine
        case trailerLineFeed
        case finalLineFeed
        case done
    }

    private var state = State.size(value: 0, digits: 0)

    /// Whether the last chunk and the trailer section have passed.
    var isDone: Bool {
        if case .done = state { return true }
        return false
    }

    /// Scans `bytes` (the body's next bytes) and returns how many of them belong to the
    /// body: all of them, or fewer when the body ends inside them.
    mutating func scan(_ bytes: UnsafeRawBufferPointer) throws(Failure) -> Int {
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            switch state {
            case .size(let value, let digits):
                if let digit = Self.hexValue(byte) {
                    // 15 hex digits cannot overflow an Int; nothing sane is that large.
                    guard digits < 15 else { throw .malformed }
                    state = .size(value: value << 4 | digit, digits: digits + 1)
                } else if digits > 0, byte == UInt8(ascii: ";") {
                    state = .sizeExtension(value: value)
                } else if digits > 0, byte == UInt8(ascii: "\r") {
                    state = .sizeLineFeed(value: value)
                } else {
                    throw .malformed
                }
                index += 1
            case .sizeExtension(let value):
                if byte == UInt8(ascii: "\r") {
                    state = .sizeLineFeed(value: value)
                } else if byte == UInt8(ascii: "\n") || byte == 0x7F || (byte < 0x20 && byte != UInt8(ascii: "\t")) {
                    throw .malformed
                }
                index += 1
            case .sizeLineFeed(let value):
                guard byte == UInt8(ascii: "\n") else { throw .malformed }
                state = value == 0 ? .trailerLineStart : .data(remaining: value)
                index += 1
            case .data(let remaining):
                let taken = min(remaining, bytes.count - index)
                index += taken
                state = taken == remaining ? .dataCarriageReturn : .data(remaining: remaining - taken)
            case .dataCarriageReturn:
                guard byte == UInt8(ascii: "\r") else { throw .malformed }
                state = .dataLineFeed
                index += 1
            case .dataLineFeed:
                guard byte == UInt8(ascii: "\n") else { throw .malformed }
                state = .size(value: 0, digits: 0)
                index += 1
            case .trailerLineStart:
                state = byte == UInt8(ascii: "\r") ? .finalLineFeed : .trailerLine
                if byte == UInt8(ascii: "\n") { throw .malformed }
                index += 1
            case .trailerLine:
                if byte == UInt8(ascii: "\r") {
                    state = .trailerLineFeed
                } else if byte == UInt8(ascii: "\n") {
                    throw .malformed
                }
                index += 1
            case .trailerLineFeed:
                guard byte == UInt8(ascii: "\n") else { throw .malformed }
                state = .trailerLineStart
                index += 1
            case .finalLineFeed:
                guard byte == UInt8(ascii: "\n") else { throw .malformed }
                state = .done
                return index + 1
            case .done:
                return index
            }
        }
        return index
    }

    private static func hexValue(_ byte: UInt8) -> Int? {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): Int(byte - UInt8(ascii: "0"))
        case UInt8(ascii: "a")...UInt8(ascii: "f"): Int(byte - UInt8(ascii: "a")) + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): Int(byte - UInt8(ascii: "A")) + 10
        default: nil
        }
    }
}
