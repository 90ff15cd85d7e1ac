import HTTPTypes

/// A request head read straight from the client's bytes, in the strict subset of HTTP/1.1
/// the wire path serves itself (RFC 9112 §3, §5):
///
/// - `GET`, `POST`, `PUT`, `PATCH` or `DELETE`, one space, an origin-form target of
///   RFC 3986 characters (a `%` followed by two hex digits), one space, `HTTP/1.1`, CRLF;
/// - then `name: value` lines: a name of token characters directly followed by `:`, a
///   value of visible ASCII, spaces and tabs (leading ones are not part of it; trailing ones
///   are refused), each ended by CRLF; at most `maximumFields` of them;
/// - then an empty line, the whole head at most `maximumLength` bytes.
///
/// Anything else is `.refused` as soon as the first byte outside the subset arrives — an
/// empty line before the request line, obs-fold, a bare LF, a space before `:` or at the
/// end of a value, a byte
/// above 0x7E, an absolute-form target, another method or version — and the connection
/// then goes to NIO's full HTTP parser (which answers a malformed request the way it
/// always has). Every head accepted here is also one NIO's parser reads the same way (a
/// differential test checks that); the framing of the body is decided by the planner,
/// which takes only a single `Content-Length` and no `Transfer-Encoding`.
struct WireRequestHead: Equatable {
    /// One header line: the name and the value (trimmed), as byte ranges of the head.
    struct Field: Equatable {
        let name: Range<Int>
        let value: Range<Int>
    }

    enum Outcome: Equatable {
        /// The bytes so far are the start of a head the subset accepts: wait for more.
        case incomplete
        /// The bytes leave the subset (or the head is too long): NIO's parser takes over.
        case refused
        case parsed(WireRequestHead)
    }

    let method: HTTPRequest.Method
    /// The request target (path and query), a byte range of the head.
    let target: Range<Int>
    let fields: [Field]
    /// The head's length in bytes, the final empty line included: the body starts here.
    let length: Int

    /// The request line's length, its CRLF included (`method SP target SP HTTP/1.1 CRLF`).
    var requestLineLength: Int { target.upperBound + Self.version.count }

    /// The longest head taken (NIO's parser allows 80 KiB; longer heads are its job).
    static let maximumLength = 16 * 1024
    /// The most header lines taken.
    static let maximumFields = 64

    private static let methods: [(bytes: [UInt8], method: HTTPRequest.Method)] = [
        (Array("GET ".utf8), .get), (Array("POST ".utf8), .post), (Array("PUT ".utf8), .put),
        (Array("PATCH ".utf8), .patch), (Array("DELETE ".utf8), .delete),
    ]
    private static let version = Array(" HTTP/1.1\r\n".utf8)

    /// Each method with its space as the low bytes of a word, and the mask of those bytes:
    /// the method of a request line (always longer than eight bytes) is told from one word.
    private static let methodWords: [(word: UInt64, mask: UInt64, length: Int, method: HTTPRequest.Method)] =
        methods.map { candidate in
            let padded = candidate.bytes + [UInt8](repeating: 0, count: 8 - candidate.bytes.count)
            let word = padded.withUnsafeBytes { WireBytes.word($0, at: 0) }
            return (word, (1 << (8 * UInt64(candidate.bytes.count))) - 1, candidate.bytes.count, candidate.method)
        }
    /// The version and CRLF (eleven bytes) as two overlapping words: its first eight bytes,
    /// and its last eight.
    private static let versionWords = version.withUnsafeBytes {
        (first: WireBytes.word($0, at: 0), last: WireBytes.word($0, at: 3))
    }

    /// Reads the head at the start of `bytes`.
    static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var fields: [Field] = []
        return parse(bytes, reusing: &fields)
    }

    /// Reads the head at the start of `bytes`, its fields gathered in `fields` (emptied
    /// first): a connection's array, whose memory serves one head after another once the
    /// last head is let go.
    /// - Parameter knownLine: A field line accepted before on this connection: a line with
    ///   its very bytes is taken as it was then, without reading it again.
    static func parse(
        _ bytes: UnsafeRawBufferPointer, reusing fields: inout [Field], knownLine: KnownFieldLine? = nil
    ) -> Outcome {
        let outcome = scan(bytes, fields: &fields, knownLine: knownLine)
        if case .incomplete = outcome, bytes.count > maximumLength { return .refused }
        return outcome
    }

    private static func scan(
        _ bytes: UnsafeRawBufferPointer, fields: inout [Field], knownLine: KnownFieldLine?
    ) -> Outcome {
        // Request line: the method and its space.
        var matched: (count: Int, method: HTTPRequest.Method)?
        var couldStillMatch = false
        if bytes.count >= 8 {
            let first = WireBytes.word(bytes, at: 0)
            for candidate in methodWords where first & candidate.mask == candidate.word {
                matched = (candidate.length, candidate.method)
                break
            }
        } else {
            // No method is a prefix of another: the first equal one is the one.
            for candidate in methods {
                switch compare(bytes, at: 0, with: candidate.bytes) {
                case .equal: matched = (candidate.bytes.count, candidate.method)
                case .prefix: couldStillMatch = true
                case .different: continue
                }
                if matched != nil { break }
            }
        }
        guard let (methodLength, method) = matched else { return couldStillMatch ? .incomplete : .refused }

        // The target, up to the space before the version.
        var index = methodLength
        guard index < bytes.count else { return .incomplete }
        guard bytes[index] == UInt8(ascii: "/") else { return .refused }
        // A byte no target may hold is refused at once; the whole target (its `%` escapes
        // too) is checked as the codec path checks it once its end is in.
        let allowedTargetBytes = LoopProxyPlanner.allowedTargetBytes  // read once, not once a byte
        while index < bytes.count, bytes[index] != UInt8(ascii: " ") {
            guard allowedTargetBytes[Int(bytes[index])] else { return .refused }
            index += 1
        }
        let target = methodLength..<index
        guard index < bytes.count else { return .incomplete }
        guard LoopProxyPlanner.isPlainTarget(bytes: UnsafeRawBufferPointer(rebasing: bytes[target])) else {
            return .refused
        }
        let version = Self.version
        if index + version.count <= bytes.count {
            let words = Self.versionWords
            guard WireBytes.word(bytes, at: index) == words.first,
                WireBytes.word(bytes, at: index + version.count - 8) == words.last
            else { return .refused }
            index += version.count
        } else {
            switch compare(bytes, at: index, with: version) {
            case .equal: index += version.count
            case .prefix: return .incomplete
            case .different: return .refused
            }
        }

        // Header lines, then the empty line.
        fields.removeAll(keepingCapacity: true)
        fields.reserveCapacity(16)
        while true {
            if let knownLine, let field = knownLine.field(in: bytes, at: index) {
                guard fields.count < maximumFields else { return .refused }
                fields.append(field)
                index += knownLine.count
                continue
            }
            switch WireFieldLine.read(bytes, at: index, strict: true) {
            case .incomplete:
                return .incomplete
            case .invalid:
                return .refused
            case .end(let next):
                return .parsed(WireRequestHead(method: method, target: target, fields: fields, length: next))
            case .field(let field, let next):
                guard fields.count < maximumFields else { return .refused }
                fields.append(field)
                index = next
            }
        }
    }

    private enum Comparison { case equal, prefix, different }

    /// Whether `bytes` from `offset` start with `expected` (`.prefix`: they end first, and
    /// agree so far).
    private static func compare(_ bytes: UnsafeRawBufferPointer, at offset: Int, with expected: [UInt8]) -> Comparison {
        let available = min(bytes.count - offset, expected.count)
        for position in 0..<available where bytes[offset + position] != expected[position] {
            return .different
        }
        return available == expected.count ? .equal : .prefix
    }

    /// tchar (RFC 9110 §5.6.2).
    static let tokenBytes = byteTable("!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz")

    private static func byteTable(_ allowed: String) -> [Bool] {
        var table = [Bool](repeating: false, count: 256)
        for byte in allowed.utf8 { table[Int(byte)] = true }
        return table
    }
}
