/// An upstream's response head, read from its bytes (RFC 9112 §4, §6): `HTTP/1.1`, a
/// three-digit status, a reason phrase, CRLF, then `name: value` lines as in
/// `WireRequestHead` (a value may also hold obs-text), then an empty line.
///
/// An answer outside that is `.malformed`, and the client gets 502, as on the codec path
/// when NIO's parser refuses an upstream's bytes.
struct WireResponseHead {
    typealias Field = WireRequestHead.Field

    enum Outcome {
        case incomplete
        case malformed
        case parsed(WireResponseHead)
    }

    /// How the body after the head ends (RFC 9112 §6.3).
    enum Framing: Equatable {
        /// No body (1xx, 204, 304).
        case none
        case length(Int)
        case chunked
        /// Until the upstream closes the connection.
        case untilClose
    }

    let status: Int
    /// The reason phrase, a byte range of the head.
    let reason: Range<Int>
    let fields: [Field]
    let length: Int
    let framing: Framing
    /// The upstream keeps the connection open after this answer.
    let keepsAlive: Bool
    /// The lowercased field names its `Connection` header lists (besides `close` and
    /// `keep-alive`): hop-by-hop for this answer, never passed on.
    let connectionNamed: Set<String>

    /// The longest head read (NIO's parser allows 80 KiB).
    static let maximumLength = 64 * 1024
    static let maximumFields = 128

    private static let version = Array("HTTP/1.1 ".utf8)

    /// The fields that say how the body ends and whether the connection stays open.
    private enum FramingField { case contentLength, transferEncoding, connection }

    private static let framingFields = WireNameTable<FramingField>([
        "content-length": .contentLength, "transfer-encoding": .transferEncoding, "connection": .connection,
    ])

    static func parse(_ bytes: UnsafeRawBufferPointer) -> Outcome {
        var fields: [Field] = []
        return parse(bytes, reusing: &fields)
    }

    /// Reads the head at the start of `bytes`, its fields gathered in `fields` (emptied
    /// first), as `WireRequestHead.parse(_:reusing:)` does.
    static func parse(_ bytes: UnsafeRawBufferPointer, reusing fields: inout [Field]) -> Outcome {
        let outcome = scan(bytes, fields: &fields)
        if case .incomplete = outcome, bytes.count > maximumLength { return .malformed }
        return outcome
    }

    private static func scan(_ bytes: UnsafeRawBufferPointer, fields: inout [Field]) -> Outcome {
        let version = Self.version  // read once, not once a byte
        let framingFields = Self.framingFields
        guard bytes.count >= version.count + 4 else {
            for index in 0..<min(bytes.count, version.count) where bytes[index] != version[index] { return .malformed }
            return .incomplete
        }
        for index in 0..<version.count where bytes[index] != version[index] { return .malformed }
        var status = 0
        for index in version.count..<(version.count + 3) {
            let byte = bytes[index]
            guard byte >= UInt8(ascii: "0"), byte <= UInt8(ascii: "9") else { return .malformed }
            status = status * 10 + Int(byte - UInt8(ascii: "0"))
        }
        guard status >= 100, bytes[version.count + 3] == UInt8(ascii: " ") else { return .malformed }
        var index = version.count + 4
        let reasonStart = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\r") {
            let byte = bytes[index]
            guard byte == UInt8(ascii: "\t") || byte >= 0x20, byte != 0x7F else { return .malformed }
            index += 1
        }
        let reason = reasonStart..<index
        guard index + 1 < bytes.count else { return .incomplete }
        guard bytes[index + 1] == UInt8(ascii: "\n") else { return .malformed }
        index += 2

        fields.removeAll(keepingCapacity: true)
        fields.reserveCapacity(16)
        var contentLength: Int?
        var isChunked = false
        var keepsAlive = true
        var connectionNamed: Set<String> = []
        fieldLines: while true {
            let field: Field
            switch WireFieldLine.read(bytes, at: index, strict: false) {
            case .incomplete:
                return .incomplete
            case .invalid:
                return .malformed
            case .end(let next):
                index = next
                break fieldLines
            case .field(let line, let next):
                guard fields.count < maximumFields else { return .malformed }
                field = line
                index = next
            }
            fields.append(field)

            switch framingFields.value(bytes, field.name) {
            case .contentLength:
                guard let length = WireBytes.decimal(bytes, field.value),
                    contentLength == nil || contentLength == length
                else { return .malformed }
                contentLength = length
            case .transferEncoding:
                // Only `chunked` alone: any other coding would need decoding here.
                guard !isChunked, WireBytes.lowercased(bytes, field.value) == "chunked" else { return .malformed }
                isChunked = true
            case .connection:
                for option in ProxyHeaders.connectionOptions(WireBytes.string(bytes, field.value)) {
                    if option == "close" {
                        keepsAlive = false
                    } else if !option.isEmpty, option != "keep-alive" {
                        connectionNamed.insert(option)
                    }
                }
            case nil:
                continue
            }
        }
        // RFC 9112 §6.1: a Transfer-Encoding with a Content-Length is an error worth refusing.
        if isChunked, contentLength != nil { return .malformed }
        let framing: Framing
        if status < 200 || status == 204 || status == 304 {
            framing = .none
        } else if isChunked {
            framing = .chunked
        } else if let contentLength {
            framing = .length(contentLength)
        } else {
            framing = .untilClose
        }
        return .parsed(
            WireResponseHead(
                status: status, reason: reason, fields: fields, length: index, framing: framing,
                keepsAlive: keepsAlive && framing != .untilClose, connectionNamed: connectionNamed))
    }
}
