import Foundation
import Testing

@testable import MongoKit

/// `BSONEncoder.encodeBytes` must give exactly `encode(_:)` + `bytes()`: the same bytes,
/// or the same error. `fast` says whether the byte encoder itself should manage the value
/// (`false`: it must give up and leave it to the tree encoder).
@Suite struct BSONByteEncoderTests {
    @Test(arguments: ByteCase.all)
    func encodesTheSameBytesAsTheTreeEncoder(_ testCase: ByteCase) throws {
        try expectSameBytes(testCase.value, fast: testCase.fast)
    }

    @Test func everyBSONValueAndTheEveryTypeFixture() throws {
        let document = try everyValueDocument()
        try expectSameBytes(Holder(value: document), fast: true)
        try expectSameBytes(Holder(value: BSON.array(document.fields.map(\.value))), fast: true)
        for (key, value) in document {
            try expectSameBytes(Holder(value: value), fast: true, "\(key)")
        }
        try expectSameBytes(try EveryType.sample(), fast: true)
    }

    @Test func aDocumentOrDocumentValueAtTheTopLevelIsItsBytes() throws {
        let document = try everyValueDocument()
        #expect(try BSONEncoder().encodeBytes(document) == document.bytes())
        #expect(try BSONEncoder().encodeBytes(BSON.document(document)) == document.bytes())
    }

    @Test func aClassUsingSuperEncoderFallsBackToTheSameBytes() throws {
        try expectSameBytes(Derived(), fast: false)
        try expectSameBytes(Holder(value: [Derived(), Derived()]), fast: false)
    }

    // MARK: Errors: the same as the tree encoder's, paths included

    @Test func aTopLevelScalarIsTheSameEncodingError() throws {
        let error = try expectSameError(SingleScalar(value: 5))
        #expect(error == "invalidValue [] top-level value does not encode as a document")
        _ = try expectSameError(5)
        _ = try expectSameError(BSON.int32(5))
        _ = try expectSameError([1, 2])
    }

    @Test func anUnsignedOverflowDeepInAnArrayOfStructsNamesItsPath() throws {
        let value = Holder(value: [Amounts(amount: 1), Amounts(amount: 2), Amounts(amount: UInt64.max)])
        let error = try expectSameError(value)
        #expect(error == "invalidValue [value, 2#2, amount] integer does not fit in int64")
    }

    @Test func anUnsignedOverflowInAnArrayOfIntegersNamesItsIndex() throws {
        let error = try expectSameError(Holder(value: [[UInt64(1)], [UInt64(2), UInt64.max]]))
        #expect(error == "invalidValue [value, 1#1, 1#1] integer does not fit in int64")
    }

    @Test func aKeyWithNULIsTheSameBSONErrorAsToday() throws {
        let error = try expectSameError(Holder(value: [Holder(value: ["a\u{0}b": 1])]))
        #expect(error == BSONError.unrepresentable("key contains a NUL byte").description)
    }

    @Test func aDateOutOfRangeIsTheSameBSONErrorAsToday() throws {
        let error = try expectSameError(Holder(value: Date(timeIntervalSince1970: 1e300)))
        #expect(error == BSONError.unrepresentable("date outside the BSON datetime range").description)
    }

    @Test func anErrorThrownWithTheEncodersPathKeepsThatPath() throws {
        let error = try expectSameError(Holder(value: [Holder(value: Failing())]))
        #expect(error == "invalidValue [value, 0#0, value] refused")
    }

    @Test func anErrorSwallowedByTheTypeStillGivesTheTreeEncodersBytes() throws {
        try expectSameBytes(Holder(value: Swallowing()), fast: false)
    }
}

// MARK: - Checks

/// Expects `encodeBytes` to equal `encode(_:).bytes()`, and the byte encoder to manage
/// the value on its own exactly when `fast`.
private func expectSameBytes<T: Encodable>(
    _ value: T, fast: Bool, _ comment: Comment? = nil, sourceLocation: SourceLocation = #_sourceLocation
) throws {
    let tree = try BSONEncoder().encode(value).bytes()
    #expect(difference(try BSONEncoder().encodeBytes(value), tree) == nil, comment, sourceLocation: sourceLocation)
    let direct = ByteEncoder.encode(value)
    #expect((direct != nil) == fast, comment, sourceLocation: sourceLocation)
    if let direct { #expect(difference(direct, tree) == nil, comment, sourceLocation: sourceLocation) }
}

/// Where two byte strings first differ, briefly (a failure then prints a line, not kilobytes).
private func difference(_ bytes: [UInt8], _ expected: [UInt8]) -> String? {
    guard bytes != expected else { return nil }
    let offset = zip(bytes, expected).enumerated().first { $1.0 != $1.1 }?.offset ?? min(bytes.count, expected.count)
    let window = { (array: [UInt8]) in Array(array[offset..<min(array.count, offset + 16)]) }
    return "lengths \(bytes.count) vs \(expected.count); from offset \(offset): \(window(bytes)) vs \(window(expected))"
}

/// Expects `encodeBytes` and `encode(_:).bytes()` to fail alike; returns the rendered error.
private func expectSameError<T: Encodable>(
    _ value: T, sourceLocation: SourceLocation = #_sourceLocation
) throws -> String {
    let tree = render(
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try BSONEncoder().encode(value).bytes()
        })
    let bytes = render(
        #expect(throws: (any Error).self, sourceLocation: sourceLocation) {
            try BSONEncoder().encodeBytes(value)
        })
    #expect(bytes == tree, sourceLocation: sourceLocation)
    #expect(ByteEncoder.encode(value) == nil, sourceLocation: sourceLocation)
    return bytes
}

/// An error as text: an `EncodingError`'s kind, path (`key` or `key#index`) and description.
private func render(_ error: (any Error)?) -> String {
    switch error {
    case EncodingError.invalidValue(_, let context)?:
        let path = context.codingPath.map { key in key.intValue.map { "\(key.stringValue)#\($0)" } ?? key.stringValue }
        return "invalidValue [\(path.joined(separator: ", "))] \(context.debugDescription)"
    case let error as BSONError:
        return error.description
    case let error?:
        return "\(error)"
    case nil:
        return "no error"
    }
}
