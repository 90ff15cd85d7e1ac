public import HTTPTypes
import Synchronization

/// Request ids: which incoming ones are kept, and how new ones are made.
public enum RequestIdentifier {
    /// The most characters an incoming id may have.
    public static let maximumLength = 128

    /// The id of the request being handled (set by `RequestIDMiddleware`), for code that
    /// does not see the Hummingbird context, such as generated OpenAPI handlers.
    @TaskLocal public static var current: String?

    /// `candidate` if it is a sane id — 1 to 128 characters of `[A-Za-z0-9._:-]` — else `nil`.
    ///
    /// Anything else (control characters, spaces, commas from repeated headers, overlong
    /// values) is refused, so an id is always safe to echo in headers, JSON and logs.
    /// - Parameter candidate: The client's `X-Request-Id`, if any.
    /// - Returns: The id to keep, or `nil` when a new one must be generated.
    public static func sanitized(_ candidate: String?) -> String? {
        guard let candidate, !candidate.isEmpty, candidate.utf8.count <= maximumLength else { return nil }
        for byte in candidate.utf8 where !isAllowed(byte) {
            return nil
        }
        return candidate
    }

    /// A new random id: 32 lowercase hex digits (128 bits of a xoshiro256** generator seeded
    /// from the system's random source once per process). Ids only need to be unique and
    /// unguessable in practice, not secret: this saves the gateway two `getrandom` system
    /// calls per request (about 3 % of its CPU).
    public static func generate() -> String {
        GeneratedRequestID().string
    }

    /// 128 new random bits.
    static func nextBits() -> (high: UInt64, low: UInt64) {
        idGenerator.withLock { ($0.next(), $0.next()) }
    }

    private static let idGenerator = Mutex(Xoshiro256StarStar())

    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "."), UInt8(ascii: "_"), UInt8(ascii: ":"), UInt8(ascii: "-"):
            true
        default:
            false
        }
    }
}

/// A new request id as its 32 ASCII digits, held inline: no heap allocation until it is made
/// a `String` (`RequestIdentifier.generate()` is `GeneratedRequestID().string`). The
/// gateway's byte-level path writes the digits into heads as they are.
public struct GeneratedRequestID: Sendable {
    /// The digits, eight in each word, in memory order.
    private let digits: (UInt64, UInt64, UInt64, UInt64)

    /// A new random id.
    public init() {
        let (high, low) = RequestIdentifier.nextBits()
        self.init(high: high, low: low)
    }

    /// The id of these 128 bits, `high` first.
    init(high: UInt64, low: UInt64) {
        digits = (
            Self.hexDigits(UInt32(truncatingIfNeeded: high >> 32)), Self.hexDigits(UInt32(truncatingIfNeeded: high)),
            Self.hexDigits(UInt32(truncatingIfNeeded: low >> 32)), Self.hexDigits(UInt32(truncatingIfNeeded: low))
        )
    }

    /// The number of digits.
    public static let count = 32

    /// Calls `body` with the 32 digits.
    public func withUTF8<Result>(_ body: (UnsafeRawBufferPointer) throws -> Result) rethrows -> Result {
        try withUnsafeBytes(of: digits) { try body($0) }
    }

    /// The id as a string.
    public var string: String {
        withUTF8 { String(decoding: $0, as: UTF8.self) }
    }

    /// The 8 lowercase hex digits of `value`, most significant first, as the bytes of a word
    /// in memory order: each nibble is spread into a byte of its own, then made a digit
    /// without a branch (`0`–`9` at 0x30, `a`–`f` at 0x61).
    static func hexDigits(_ value: UInt32) -> UInt64 {
        var nibbles = UInt64(value)
        nibbles = (nibbles | (nibbles << 16)) & 0x0000_FFFF_0000_FFFF
        nibbles = (nibbles | (nibbles << 8)) & 0x00FF_00FF_00FF_00FF
        nibbles = (nibbles | (nibbles << 4)) & 0x0F0F_0F0F_0F0F_0F0F
        // Byte k from the lowest now holds nibble k from the lowest; the first digit is the
        // highest nibble.
        nibbles = nibbles.byteSwapped
        let isLetter = ((nibbles &+ 0x0606_0606_0606_0606) >> 4) & 0x0101_0101_0101_0101
        let ascii = nibbles &+ 0x3030_3030_3030_3030 &+ isLetter &* 0x27
        return ascii.littleEndian
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`, carried by every request and response of the platform.
    public static let xRequestID = Self("X-Request-Id")!
}

/// xoshiro256** (Blackman and Vigna): a fast 64-bit generator with a 256-bit state.
struct Xoshiro256StarStar: RandomNumberGenerator {
    private var state: (UInt64, UInt64, UInt64, UInt64)

    /// Seeded from the system's random source (never the all-zero state).
    init() {
        var system = SystemRandomNumberGenerator()
        repeat {
            state = (system.next(), system.next(), system.next(), system.next())
        } while state == (0, 0, 0, 0)
    }

    mutating func next() -> UInt64 {
        let result = (state.1 &* 5).rotatedLeft(by: 7) &* 9
        let shifted = state.1 << 17
        state.2 ^= state.0
        state.3 ^= state.1
        state.1 ^= state.2
        state.0 ^= state.3
        state.2 ^= shifted
        state.3 = state.3.rotatedLeft(by: 45)
        return result
    }
}

extension UInt64 {
    fileprivate func rotatedLeft(by count: UInt64) -> UInt64 {
        (self << count) | (self >> (64 - count))
    }
}
