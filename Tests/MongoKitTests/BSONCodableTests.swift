import Foundation
import Testing

@testable import MongoKit

@Suite struct BSONCodableTests {
    @Test func everyTypeRoundTripsThroughTheCoders() throws {
        let value = try EveryType.sample()
        let document = try BSONEncoder().encode(value)
        let decoded = try BSONDecoder().decode(EveryType.self, from: document)
        // BSON keeps whole milliseconds.
        #expect(abs(decoded.createdAt.timeIntervalSince(value.createdAt)) < 0.001)
        var expected = value
        expected.createdAt = decoded.createdAt
        #expect(decoded == expected)
    }

    @Test func storesNativeBSONTypes() throws {
        let document = try BSONEncoder().encode(try EveryType.sample())
        #expect(document["_id"]?.objectIDValue != nil)
        #expect(document["createdAt"]?.dateValue != nil)
        #expect(document["small"] == .int32(-42))
        #expect(document["large"] == .int64(9_007_199_254_740_993))
        #expect(document["count"] == .int64(3))
        #expect(document["status"] == "GRANTED")
        #expect(document["missing"] == nil)
        #expect(document["explicitNull"] == .null)
        #expect(document["payload"] == .binary(BSONBinary(data: Data([0, 1, 2, 255]))))
        #expect(document.keys.first == "_id")
    }

    @Test func aMissingNestedFieldNamesItsKeyPath() throws {
        var document = try BSONEncoder().encode(try EveryType.sample())
        document["lines"] = [["name": "gem", "quantity": 1], ["quantity": 2]]
        do {
            _ = try BSONDecoder().decode(EveryType.self, from: document)
            Issue.record("decoding should fail")
        } catch {
            guard case .decoding(let keyPath, _) = MongoError.from(decodingError: error) else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(keyPath == "lines[1].name")
        }
    }

    @Test func aWrongTypeNamesItsKeyPath() throws {
        var document = try BSONEncoder().encode(try EveryType.sample())
        document["snapshot"] = "not a document"
        #expect(throws: DecodingError.self) { try BSONDecoder().decode(EveryType.self, from: document) }
        do {
            _ = try BSONDecoder().decode(EveryType.self, from: document)
        } catch {
            guard case .decoding(let keyPath, _) = MongoError.from(decodingError: error) else {
                Issue.record("unexpected \(error)")
                return
            }
            #expect(keyPath == "snapshot")
        }
    }

    @Test func nullInANonOptionalIsValueNotFound() throws {
        var document = try BSONEncoder().encode(try EveryType.sample())
        document["title"] = .null
        #expect {
            try BSONDecoder().decode(EveryType.self, from: document)
        } throws: { error in
            guard case DecodingError.valueNotFound(_, let context) = error else { return false }
            return context.codingPath.map(\.stringValue) == ["title"]
        }
    }

    @Test func integersConvertOnlyWhenExact() throws {
        struct Numbers: Codable { var value: Int32 }
        #expect(try BSONDecoder().decode(Numbers.self, from: ["value": .int64(5)]).value == 5)
        #expect(try BSONDecoder().decode(Numbers.self, from: ["value": .double(5)]).value == 5)
        #expect(throws: DecodingError.self) { try BSONDecoder().decode(Numbers.self, from: ["value": .int64(1 << 40)]) }
        #expect(throws: DecodingError.self) { try BSONDecoder().decode(Numbers.self, from: ["value": .double(5.5)]) }
        #expect(throws: DecodingError.self) { try BSONDecoder().decode(Numbers.self, from: ["value": "5"]) }
    }

    @Test func anUnsignedValueTooLargeForInt64NamesItsPath() {
        struct Big: Codable { var inner: [UInt64] }
        #expect {
            try BSONEncoder().encode(Big(inner: [1, UInt64.max]))
        } throws: { error in
            guard case .encoding(let keyPath, _) = MongoError.from(encodingError: error) else { return false }
            return keyPath == "inner[1]"
        }
    }

    @Test func anUnknownEnumValueIsADecodingError() throws {
        var document = try BSONEncoder().encode(try EveryType.sample())
        document["status"] = "HACKED"
        #expect(throws: DecodingError.self) { try BSONDecoder().decode(EveryType.self, from: document) }
    }

    @Test func aTopLevelScalarIsNotADocument() {
        #expect(throws: EncodingError.self) { try BSONEncoder().encode(5) }
    }

    @Test func bsonValuesEncodeAsNaturalJSON() throws {
        let document: BSONDocument = [
            "id": .objectID(try ObjectID("5f1d7a3e9c4b2a0012345678")), "n": 3, "ok": true, "list": [1, "x"],
        ]
        let json = try JSONEncoder().encode(document)
        let parsed = try JSONSerialization.jsonObject(with: json) as? NSDictionary
        let expected: NSDictionary = ["id": "5f1d7a3e9c4b2a0012345678", "n": 3, "ok": true, "list": [1, "x"]]
        #expect(parsed == expected)
    }
}
