public import HTTPTypes

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

    /// A new random id: 32 lowercase hex digits (128 random bits).
    public static func generate() -> String {
        var generator = SystemRandomNumberGenerator()
        return hex(generator.next() as UInt64) + hex(generator.next() as UInt64)
    }

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

    private static func hex(_ value: UInt64) -> String {
        let digits = String(value, radix: 16)
        return String(repeating: "0", count: 16 - digits.count) + digits
    }
}

extension HTTPField.Name {
    /// `X-Request-Id`, carried by every request and response of the platform.
    public static let xRequestID = Self("X-Request-Id")!
}
