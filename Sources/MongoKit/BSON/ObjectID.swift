public import Foundation
import Synchronization

/// A MongoDB ObjectId: 12 bytes — a 4-byte timestamp, 5 random bytes per process and a
/// 3-byte counter — shown as 24 lower-case hex digits.
public struct ObjectID: Sendable, Hashable, Comparable, CustomStringConvertible {
    // The 12 bytes as two big-endian integers: no heap storage per id.
    let high: UInt64
    let low: UInt32

    /// Generates a new, process-unique ObjectID stamped with the current time.
    public init() {
        let seconds = UInt32(truncatingIfNeeded: Int(Date().timeIntervalSince1970))
        let counter = ObjectIDGenerator.nextCounter()
        let unique = ObjectIDGenerator.processUnique
        high = UInt64(seconds) << 32 | unique >> 8
        low = UInt32(truncatingIfNeeded: unique & 0xFF) << 24 | counter
    }

    /// Parses 24 hex digits (either case).
    /// - Throws: `BSONError.invalidObjectID` when the string is not exactly 24 hex digits.
    public init(_ hex: String) throws(BSONError) {
        guard let parsed = ObjectID(validating: hex) else {
            throw BSONError.invalidObjectID(hex)
        }
        self = parsed
    }

    /// Parses 24 hex digits, or returns `nil` for anything else.
    public init?(validating hex: String) {
        let utf8 = Array(hex.utf8)
        guard utf8.count == 24 else { return nil }
        var high: UInt64 = 0
        var low: UInt32 = 0
        for index in 0..<24 {
            guard let value = Self.nibble(utf8[index]) else { return nil }
            if index < 16 {
                high = high << 4 | UInt64(value)
            } else {
                low = low << 4 | UInt32(value)
            }
        }
        self.high = high
        self.low = low
    }

    /// Wraps 12 raw bytes.
    /// - Throws: `BSONError.invalidObjectID` when `bytes` is not 12 long.
    public init(bytes: [UInt8]) throws(BSONError) {
        guard bytes.count == 12 else { throw BSONError.invalidObjectID("\(bytes.count) bytes") }
        high = bytes[0..<8].reduce(0) { $0 << 8 | UInt64($1) }
        low = bytes[8..<12].reduce(0) { $0 << 8 | UInt32($1) }
    }

    init(high: UInt64, low: UInt32) {
        self.high = high
        self.low = low
    }

    /// The 12 bytes, big-endian as on the wire.
    public var bytes: [UInt8] {
        (0..<8).map { UInt8(truncatingIfNeeded: high >> (56 - 8 * $0)) }
            + (0..<4).map { UInt8(truncatingIfNeeded: low >> (24 - 8 * $0)) }
    }

    /// The 24 lower-case hex digits.
    public var hex: String {
        String(unsafeUninitializedCapacity: 24) { buffer in
            let digits: StaticString = "0123456789abcdef"
            let table = digits.utf8Start
            for index in 0..<16 {
                buffer[index] = table[Int(high >> (60 - 4 * UInt64(index)) & 0xF)]
            }
            for index in 0..<8 {
                buffer[16 + index] = table[Int(low >> (28 - 4 * UInt32(index)) & 0xF)]
            }
            return 24
        }
    }

    /// The creation time stamped in the first four bytes.
    public var timestamp: Date {
        Date(timeIntervalSince1970: TimeInterval(high >> 32))
    }

    public var description: String { hex }

    public static func < (lhs: ObjectID, rhs: ObjectID) -> Bool {
        (lhs.high, lhs.low) < (rhs.high, rhs.low)
    }

    private static func nibble(_ character: UInt8) -> UInt8? {
        switch character {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): character - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): character - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): character - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

extension ObjectID: Codable {
    /// Outside BSON (e.g. JSON) an ObjectID is its hex string; the BSON coders store it natively.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        let hex = try container.decode(String.self)
        guard let parsed = ObjectID(validating: hex) else {
            throw DecodingError.dataCorruptedError(
                in: container, debugDescription: "not an ObjectId: expected 24 hex digits")
        }
        self = parsed
    }

    public func encode(to encoder: any Encoder) throws {
        var container = encoder.singleValueContainer()
        try container.encode(hex)
    }
}

/// The process-wide parts of new ObjectIDs: 5 random bytes and a counter with a random start.
private enum ObjectIDGenerator {
    /// Five random bytes, in the low 40 bits.
    static let processUnique = UInt64.random(in: 0...0xFF_FFFF_FFFF)
    static let counter = Atomic<UInt32>(UInt32.random(in: 0...0xFF_FFFF))

    static func nextCounter() -> UInt32 {
        counter.wrappingAdd(1, ordering: .relaxed).newValue & 0xFF_FFFF
    }
}
