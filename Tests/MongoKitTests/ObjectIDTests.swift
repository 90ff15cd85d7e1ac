import Foundation
import Testing

@testable import MongoKit

@Suite struct ObjectIDTests {
    @Test func hexRoundTripsInLowerCase() throws {
        let id = try ObjectID("5F1D7A3E9C4B2A0012345678")
        #expect(id.hex == "5f1d7a3e9c4b2a0012345678")
        #expect(try ObjectID(id.hex) == id)
        #expect(id.bytes == [0x5f, 0x1d, 0x7a, 0x3e, 0x9c, 0x4b, 0x2a, 0x00, 0x12, 0x34, 0x56, 0x78])
        #expect(try ObjectID(bytes: id.bytes) == id)
    }

    @Test(arguments: [
        "", "abc", "5f1d7a3e9c4b2a001234567", "5f1d7a3e9c4b2a00123456789", "zz1d7a3e9c4b2a0012345678",
        "5f1d7a3e9c4b2a00 2345678", "{\"$gt\": \"\"}", "5f1d7a3e9c4b2a001234567é",
    ])
    func invalidStringsAreATypedError(text: String) {
        #expect(throws: BSONError.invalidObjectID(text)) { try ObjectID(text) }
        #expect(ObjectID(validating: text) == nil)
    }

    @Test func wrongByteCountIsATypedError() {
        #expect(throws: BSONError.self) { try ObjectID(bytes: [1, 2, 3]) }
    }

    @Test func generatedIDsAreUniqueAndCarryTheTime() {
        let before = Date().addingTimeInterval(-1)
        let ids = (0..<10_000).map { _ in ObjectID() }
        #expect(Set(ids).count == ids.count)
        #expect(ids[0].timestamp >= before.addingTimeInterval(-1))
        #expect(ids[0].timestamp <= Date().addingTimeInterval(1))
    }

    @Test func encodesAsItsHexStringInJSON() throws {
        let id = try ObjectID("5f1d7a3e9c4b2a0012345678")
        let json = try JSONEncoder().encode([id])
        #expect(String(decoding: json, as: UTF8.self) == #"["5f1d7a3e9c4b2a0012345678"]"#)
        #expect(try JSONDecoder().decode([ObjectID].self, from: json) == [id])
        #expect(throws: DecodingError.self) { try JSONDecoder().decode([ObjectID].self, from: Data(#"["nope"]"#.utf8)) }
    }
}
