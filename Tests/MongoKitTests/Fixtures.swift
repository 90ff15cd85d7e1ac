import Foundation

@testable import MongoKit

/// A document holding every BSON type MongoKit models, through Codable.
struct EveryType: Codable, Equatable {
    enum Status: String, Codable {
        case pending = "PENDING"
        case granted = "GRANTED"
    }

    struct Line: Codable, Equatable {
        var name: String
        var quantity: Int
    }

    var _id: ObjectID
    var title: String
    var createdAt: Date
    var small: Int32
    var large: Int64
    var count: Int
    var ratio: Double
    var flag: Bool
    var missing: String?
    var explicitNull: BSON
    var payload: Data
    var status: Status
    var lines: [Line]
    var snapshot: BSONDocument
    var price: BSONDecimal128
    var tags: [String]

    static func sample() throws -> EveryType {
        EveryType(
            _id: ObjectID(), title: "Seven-day login ✓", createdAt: Date(timeIntervalSince1970: 1_732_500_000.123),
            small: -42, large: 9_007_199_254_740_993, count: 3, ratio: 0.25, flag: true, missing: nil,
            explicitNull: .null, payload: Data([0, 1, 2, 255]), status: .granted,
            lines: [Line(name: "gem", quantity: 2), Line(name: "coin", quantity: 100)],
            snapshot: ["type": "CONTINUOUS_LOGIN", "current": .int32(3), "met": true],
            price: try BSONDecimal128("12.50"), tags: ["a", "b"])
    }
}

/// A document of every BSON value type, built directly.
func everyValueDocument() throws -> BSONDocument {
    [
        "double": .double(1.5),
        "string": "héllo \"world\"\n",
        "document": ["nested": .int32(1)],
        "array": [.int32(1), "two", .bool(false)],
        "binary": .binary(BSONBinary(data: Data([1, 2, 3]), subtype: 0)),
        "uuid": .binary(BSONBinary(data: Data(repeating: 7, count: 16), subtype: 4)),
        "objectID": .objectID(try ObjectID("5f1d7a3e9c4b2a0012345678")),
        "bool": true,
        "datetime": .datetime(Date(timeIntervalSince1970: 1_700_000_000.5)),
        "before1970": .datetime(Date(timeIntervalSince1970: -86_400)),
        "null": .null,
        "regex": .regex(BSONRegularExpression(pattern: "^a.*b$", options: "mi")),
        "int32": .int32(-2_147_483_648),
        "timestamp": .timestamp(BSONTimestamp(seconds: 1_700_000_000, increment: 7)),
        "int64": .int64(Int64.max),
        "decimal": .decimal128(try BSONDecimal128("-1234.5678")),
        "minKey": .minKey,
        "maxKey": .maxKey,
    ]
}
