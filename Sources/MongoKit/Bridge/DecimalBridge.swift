internal import CMongoC

/// Decimal128 text conversion, delegated to libbson (the reference implementation).
enum DecimalBridge {
    static func parse(_ text: String) -> BSONDecimal128? {
        let decimal = UnsafeMutablePointer<bson_decimal128_t>.allocate(capacity: 1)
        defer { decimal.deallocate() }
        guard bson_decimal128_from_string(text, decimal) else { return nil }
        return BSONDecimal128(low: decimal.pointee.low, high: decimal.pointee.high)
    }

    static func render(_ value: BSONDecimal128) -> String {
        let decimal = UnsafeMutablePointer<bson_decimal128_t>.allocate(capacity: 1)
        defer { decimal.deallocate() }
        decimal.pointee.low = value.low
        decimal.pointee.high = value.high
        // BSON_DECIMAL128_STRING is 43 bytes.
        var characters = [CChar](repeating: 0, count: 64)
        bson_decimal128_to_string(decimal, &characters)
        return String(decoding: characters.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
    }
}
