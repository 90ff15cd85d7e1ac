import Foundation
import Testing

@testable import MongoKit

@Suite struct BSONBytesTests {
    @Test func everyTypeRoundTripsThroughBytes() throws {
        let document = try everyValueDocument()
        let bytes = try BSONWriter.serialize(document)
        #expect(try BSONReader.parse(bytes) == document)
    }

    @Test func libbsonReadsOurBytesAsTheSameCanonicalJSON() throws {
        let document = try everyValueDocument()
        let ours = try JSONSerialization.jsonObject(with: Data(document.canonicalExtendedJSON.utf8)) as? NSDictionary
        let reference =
            try JSONSerialization.jsonObject(
                with: Data(LibBSONReference.canonicalExtendedJSON(of: document).utf8)) as? NSDictionary
        #expect(ours != nil)
        #expect(ours == reference)
        #expect(try LibBSONReference.validates(document))
    }

    @Test func keysKeepTheirOrder() throws {
        let document: BSONDocument = ["z": 1, "a": 2, "m": 3]
        #expect(try BSONReader.parse(BSONWriter.serialize(document)).keys == ["z", "a", "m"])
    }

    @Test func aKeyWithNULCannotBeWritten() {
        #expect(throws: BSONError.self) { try BSONWriter.serialize(["a\u{0}b": 1]) }
    }

    @Test func stringsMayHoldNULBytes() throws {
        let document: BSONDocument = ["text": "a\u{0}b"]
        #expect(try BSONReader.parse(BSONWriter.serialize(document)) == document)
    }

    @Test func truncatedOrCorruptBytesAreATypedErrorNeverATrap() throws {
        let bytes = try BSONWriter.serialize(try everyValueDocument())
        // Every truncation.
        for length in 0..<bytes.count {
            #expect(throws: BSONError.self) { try BSONReader.parse(Array(bytes.prefix(length))) }
        }
        // Every single-byte corruption either parses or throws.
        for index in bytes.indices {
            for replacement: UInt8 in [0x00, 0x7F, 0xFF] {
                var corrupt = bytes
                corrupt[index] = replacement
                // `parse` throws only BSONError (typed throws); what matters here is no trap.
                _ = try? BSONReader.parse(corrupt)
            }
        }
    }

    @Test func specificMalformationsNameTheProblem() {
        // Length says 100, data is 5 bytes.
        #expect(throws: BSONError.malformedDocument("document length 100 out of bounds at offset 0")) {
            try BSONReader.parse([100, 0, 0, 0, 0])
        }
        // Unknown type byte 0x20.
        #expect(throws: BSONError.malformedDocument("unsupported BSON type 0x20")) {
            try BSONReader.parse([8, 0, 0, 0, 0x20, 0x61, 0, 0])
        }
    }

    @Test func deepNestingIsRefused() throws {
        var document: BSONDocument = ["leaf": 1]
        for _ in 0..<250 {
            document = ["n": .document(document)]
        }
        let bytes = try BSONWriter.serialize(document)
        #expect(throws: BSONError.self) { try BSONReader.parse(bytes) }
    }

    @Test func extendedJSONIsCanonical() throws {
        let document: BSONDocument = [
            "id": .objectID(try ObjectID("5f1d7a3e9c4b2a0012345678")), "n": .int32(1), "l": .int64(2), "d": 1.0,
            "t": .datetime(Date(timeIntervalSince1970: 1)), "s": "q\"",
        ]
        #expect(
            document.canonicalExtendedJSON
                == #"{"id": {"$oid": "5f1d7a3e9c4b2a0012345678"}, "n": {"$numberInt": "1"}, "l": {"$numberLong": "2"}, "d": {"$numberDouble": "1.0"}, "t": {"$date": {"$numberLong": "1000"}}, "s": "q\""}"#
        )
    }

    @Test func decimal128RoundTripsThroughText() throws {
        #expect(try BSONDecimal128("12.50").description == "12.50")
        #expect(try BSONDecimal128("-Infinity").description == "-Infinity")
        #expect(throws: BSONError.self) { try BSONDecimal128("twelve") }
    }
}
