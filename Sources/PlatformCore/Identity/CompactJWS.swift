#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A compact-serialised JWS (`header.payload.signature`, RFC 7515 §7.1) taken apart, for
/// `TokenVerifier`: the three parts base64url-decoded strictly (no padding, no other
/// alphabet, no stray bits) and the header's `alg`, `typ`, `kid` and `crit` read. The payload is
/// left as bytes: it is only decoded once the signature over it has been checked.
struct CompactJWS {
    /// The header members verification looks at; others are ignored.
    struct Header: Decodable {
        var alg: String?
        /// The token's media type (RFC 7515 §4.1.9); see `isAccessTokenType`.
        var typ: String?
        var kid: String?
        /// Critical extensions (RFC 7515 §4.1.11): we understand none, so a token naming
        /// any is refused.
        var crit: [String]?

        /// Whether `typ` is absent or names a JWT (RFC 8725 §3.11, explicit typing): `JWT`
        /// (what auth writes) or `at+jwt` (RFC 9068), with or without `application/`, in any
        /// case. Any other type — a JWT of another kind, e.g. `dpop+jwt` — is not an access
        /// token, even when a key of ours signed it.
        var isAccessTokenType: Bool {
            guard let typ else { return true }
            var type = typ.lowercased()
            if type.hasPrefix("application/") { type.removeFirst("application/".count) }
            return type == "jwt" || type == "at+jwt"
        }
    }

    let header: Header
    /// The ASCII bytes the signature covers: `header.payload` as sent.
    let signingInput: ArraySlice<UInt8>
    let payload: [UInt8]
    let signature: [UInt8]

    /// Splits and decodes `token`; `nil` unless it has exactly three base64url parts and a
    /// JSON object header.
    init?(_ token: String) {
        let bytes = Array(token.utf8)
        guard let firstDot = bytes.firstIndex(of: UInt8(ascii: ".")),
            let secondDot = bytes[(firstDot + 1)...].firstIndex(of: UInt8(ascii: ".")),
            !bytes[(secondDot + 1)...].contains(UInt8(ascii: "."))
        else { return nil }
        guard let headerBytes = Base64URL.decode(bytes[..<firstDot]),
            let payload = Base64URL.decode(bytes[(firstDot + 1)..<secondDot]),
            let signature = Base64URL.decode(bytes[(secondDot + 1)...]),
            let header = try? JSONDecoder().decode(Header.self, from: Data(headerBytes))
        else { return nil }
        self.header = header
        self.signingInput = bytes[..<secondDot]
        self.payload = payload
        self.signature = signature
    }
}

/// Strict base64url without padding (RFC 7515 §2, RFC 4648 §5).
enum Base64URL {
    /// The bytes `text` encodes, or `nil` for an empty text, a character outside the
    /// base64url alphabet (padding included), an impossible length, or non-zero bits after
    /// the last byte (so each byte string has exactly one encoding).
    static func decode(_ text: ArraySlice<UInt8>) -> [UInt8]? {
        guard !text.isEmpty, text.count % 4 != 1 else { return nil }
        var output: [UInt8] = []
        output.reserveCapacity(text.count * 3 / 4)
        var accumulator: UInt32 = 0
        var bits = 0
        for character in text {
            guard let sextet = value(of: character) else { return nil }
            accumulator = (accumulator << 6) | UInt32(sextet)
            bits += 6
            if bits >= 8 {
                bits -= 8
                output.append(UInt8(truncatingIfNeeded: accumulator >> UInt32(bits)))
                accumulator &= (1 << UInt32(bits)) - 1
            }
        }
        return accumulator == 0 ? output : nil
    }

    @inline(__always)
    private static func value(of character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "A")...UInt8(ascii: "Z"): character - UInt8(ascii: "A")
        case UInt8(ascii: "a")...UInt8(ascii: "z"): character - UInt8(ascii: "a") + 26
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0") + 52
        case UInt8(ascii: "-"): 62
        case UInt8(ascii: "_"): 63
        default: nil
        }
    }
}
