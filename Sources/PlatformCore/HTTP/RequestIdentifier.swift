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
        let (high, low) = idGenerator.withLock { ($0.next(), $0.next()) }
        // Written in place: one allocation, not one per half and per padding.
        return String(unsafeUninitializedCapacity: 32) { digits in
            writeHex(high, into: digits, at: 0)
            writeHex(low, into: digits, at: 16)
            return 32
        }
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

    /// The 16 lowercase hex digits of `value`, most significant first, at `offset`.
    private static func writeHex(_ value: UInt64, into digits: UnsafeMutableBufferPointer<UInt8>, at offset: Int) {
        for position in 0..<16 {
            let nibble = UInt8(truncatingIfNeeded: value >> UInt64(60 - 4 * position)) & 0x0f
            digits[offset + position] = nibble < 10 ? UInt8(ascii: "0") + nibble : UInt8(ascii: "a") + nibble - 10
        }
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
