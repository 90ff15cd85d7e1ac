import Foundation

extension BSON: ExpressibleByStringLiteral {
    public init(stringLiteral value: String) { self = .string(value) }
}

extension BSON: ExpressibleByIntegerLiteral {
    /// Integer literals become int32 when they fit (as the shell does), int64 otherwise.
    public init(integerLiteral value: Int) {
        self = Int32(exactly: value).map(BSON.int32) ?? .int64(Int64(value))
    }
}

extension BSON: ExpressibleByFloatLiteral {
    public init(floatLiteral value: Double) { self = .double(value) }
}

extension BSON: ExpressibleByBooleanLiteral {
    public init(booleanLiteral value: Bool) { self = .bool(value) }
}

extension BSON: ExpressibleByArrayLiteral {
    public init(arrayLiteral elements: BSON...) { self = .array(elements) }
}

extension BSON: ExpressibleByDictionaryLiteral {
    public init(dictionaryLiteral elements: (String, BSON)...) {
        self = .document(BSONDocument(elements))
    }
}

extension BSON: ExpressibleByNilLiteral {
    public init(nilLiteral: ()) { self = .null }
}

extension BSON {
    /// An `Int` as int64, the type this project stores counters and amounts in.
    public static func int(_ value: Int) -> BSON { .int64(Int64(value)) }
}
