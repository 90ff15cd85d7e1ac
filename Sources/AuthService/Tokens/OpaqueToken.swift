import Crypto

/// Random secrets (refresh tokens, client secrets, token ids) and the digests we store in
/// their place.
enum OpaqueToken {
    /// `byteCount` bytes from the system's cryptographic generator, as base64url.
    /// 32 bytes (256 bits) by default: 43 characters.
    static func generate(byteCount: Int = 32) -> String {
        var generator = SystemRandomNumberGenerator()
        let bytes = (0..<byteCount).map { _ in UInt8.random(in: .min ... .max, using: &generator) }
        return Base64URL.encode(bytes)
    }

    /// 16 random bytes as 32 lowercase hex digits (token ids, lease owners).
    static func hexIdentifier() -> String {
        var generator = SystemRandomNumberGenerator()
        return (0..<16).map { _ in
            let byte = UInt8.random(in: .min ... .max, using: &generator)
            return String(byte, radix: 16).leftPadded(to: 2)
        }.joined()
    }

    /// The SHA-256 of `secret`'s UTF-8 as 64 lowercase hex digits: what is stored, so a
    /// database reader cannot use a token or secret they see.
    static func digest(_ secret: String) -> String {
        SHA256.hash(data: Array(secret.utf8)).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
    }

    /// Whether two digests are equal, in time independent of where they differ.
    static func digestsMatch(_ lhs: String, _ rhs: String) -> Bool {
        let left = Array(lhs.utf8)
        let right = Array(rhs.utf8)
        guard left.count == right.count else { return false }
        var difference: UInt8 = 0
        for index in left.indices {
            difference |= left[index] ^ right[index]
        }
        return difference == 0
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
