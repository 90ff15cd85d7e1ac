import Foundation
import Testing

@testable import MongoKit

// The values `BSONByteEncoderTests` encodes both ways. Each case says whether the byte
// encoder should manage it on its own (`fast`) or hand it to the tree encoder.
extension BSONByteEncoderTests {
    // MARK: - The table

    struct ByteCase: Sendable, CustomTestStringConvertible {
        let name: String
        let value: any Encodable & Sendable
        let fast: Bool
        var testDescription: String { name }

        init(_ name: String, _ value: any Encodable & Sendable, fast: Bool = true) {
            self.name = name
            self.value = value
            self.fast = fast
        }

        static let all: [ByteCase] = [
            ByteCase("integers at their minimum", Integers.minimum),
            ByteCase("integers at zero", Integers.zero),
            ByteCase("integers at their maximum", Integers.maximum),
            ByteCase("integers through single-value containers", IntegerArrays()),
            ByteCase("every container method", Primitives()),
            ByteCase("bool, double and float edge values", Floats()),
            ByteCase("strings", Strings()),
            ByteCase("dates before 1970 and milliseconds rounded down", Dates()),
            ByteCase("ObjectID, Data and URL", Natives()),
            ByteCase("nested structs", Outer()),
            ByteCase("an array of structs", Holder(value: [Inner(), Inner(name: "b", score: -1)])),
            ByteCase("arrays of arrays", Holder(value: [[1, 2], [], [3]])),
            ByteCase("arrays of arrays of structs", Holder(value: [[Inner()], [], [Inner(), Inner()]])),
            ByteCase("array keys of one to four digits", Holder(value: Array(0..<1_200))),
            ByteCase("optionals present", Optionals(number: 1, text: "x", inner: Inner(), list: [1, nil, 3])),
            ByteCase("optionals absent", Optionals()),
            ByteCase("explicit nils", ExplicitNils()),
            ByteCase("dictionaries", Dictionaries()),
            ByteCase("enums by raw value", Enums()),
            ByteCase(
                "enums with associated values",
                Holder(value: [Shape.circle(radius: 2), .rectangle(width: 1, height: 3)])),
            ByteCase("a single-value type in a field", Holder(value: Celsius(degrees: 20.5))),
            ByteCase("a single-value wrapper around a struct, top level", Wrapper(inner: Inner())),
            ByteCase("a type that encodes nothing, top level", Nothing()),
            ByteCase("a type that encodes nothing, in a field", Holder(value: [Nothing()])),
            ByteCase("deep nesting", Nest.depth(60)),
            ByteCase("a nested container written after a sibling opened", OutOfOrder(), fast: false),
            ByteCase("a nested container written after its parent wrote", LateNested(), fast: false),
            ByteCase("the same key twice", RepeatedKey(), fast: false),
            ByteCase("a container requested twice", TwiceRequested(), fast: false),
            ByteCase("a single value written twice", Holder(value: TwiceSingle()), fast: false),
            ByteCase("superEncoder(forKey:)", KeyedSuper(), fast: false),
            ByteCase("superEncoder in an unkeyed container", Holder(value: UnkeyedSuper()), fast: false),
            ByteCase("reading codingPath", Holder(value: [ReadsPath()]), fast: false),
        ]
    }

    // MARK: - Fixtures

    struct Holder<Value: Encodable>: Encodable {
        var value: Value
    }

    struct Integers: Encodable, Sendable {
        var int: Int, int8: Int8, int16: Int16, int32: Int32, int64: Int64
        var uint: UInt, uint8: UInt8, uint16: UInt16, uint32: UInt32, uint64: UInt64

        static let minimum = Integers(
            int: .min, int8: .min, int16: .min, int32: .min, int64: .min, uint: 0, uint8: 0, uint16: 0, uint32: 0,
            uint64: 0)
        static let zero = Integers(
            int: 0, int8: 0, int16: 0, int32: 0, int64: 0, uint: 1, uint8: 1, uint16: 1, uint32: 1, uint64: 1)
        static let maximum = Integers(
            int: .max, int8: .max, int16: .max, int32: .max, int64: .max, uint: UInt(Int64.max), uint8: .max,
            uint16: .max, uint32: .max, uint64: UInt64(Int64.max))
    }

    struct IntegerArrays: Encodable, Sendable {
        var int8: [Int8] = [.min, -1, .max]
        var int16: [Int16] = [.min, .max]
        var int32: [Int32] = [.min, .max]
        var int64: [Int64] = [.min, .max]
        var uint: [UInt] = [0, UInt(Int64.max)]
        var uint8: [UInt8] = [0, .max]
        var uint16: [UInt16] = [0, .max]
        var uint32: [UInt32] = [0, .max]
        var uint64: [UInt64] = [0, UInt64(Int64.max)]
        var floats: [Float] = [1.1, -0.5]
        var optionals: [Int16?] = [1, nil]
    }

    /// Calls every primitive method of keyed, unkeyed and nested containers.
    struct Primitives: Encodable, Sendable {
        enum Keys: String, CodingKey { case a, b, c, d, e, f, g, h, i, j, k, l, m, n, o, p, list, keyed }

        func encode(to encoder: any Encoder) throws {
            var keyed = encoder.container(keyedBy: Keys.self)
            try keyed.encodeNil(forKey: .a)
            try keyed.encode(true, forKey: .b)
            try keyed.encode("s", forKey: .c)
            try keyed.encode(1.5, forKey: .d)
            try keyed.encode(Float(2.5), forKey: .e)
            try keyed.encode(Int(-3), forKey: .f)
            try keyed.encode(Int8(-4), forKey: .g)
            try keyed.encode(Int16(-5), forKey: .h)
            try keyed.encode(Int32(-6), forKey: .i)
            try keyed.encode(Int64(-7), forKey: .j)
            try keyed.encode(UInt(8), forKey: .k)
            try keyed.encode(UInt8(9), forKey: .l)
            try keyed.encode(UInt16(10), forKey: .m)
            try keyed.encode(UInt32(11), forKey: .n)
            try keyed.encode(UInt64(12), forKey: .o)
            var list = keyed.nestedUnkeyedContainer(forKey: .list)
            try list.encodeNil()
            try list.encode(true)
            try list.encode("s")
            try list.encode(1.5)
            try list.encode(Float(2.5))
            try list.encode(Int(-3))
            try list.encode(Int8(-4))
            try list.encode(Int16(-5))
            try list.encode(Int32(-6))
            try list.encode(Int64(-7))
            try list.encode(UInt(8))
            try list.encode(UInt8(9))
            try list.encode(UInt16(10))
            try list.encode(UInt32(11))
            try list.encode(UInt64(12))
            var element = list.nestedContainer(keyedBy: Keys.self)
            try element.encode(1, forKey: .a)
            var inner = list.nestedUnkeyedContainer()
            try inner.encode(2)
            try list.encode(Inner())
            var nested = keyed.nestedContainer(keyedBy: Keys.self, forKey: .keyed)
            try nested.encode("deep", forKey: .a)
            try keyed.encode(Celsius(degrees: -1), forKey: .p)
        }
    }

    struct Floats: Encodable, Sendable {
        var yes = true, no = false
        var doubles: [Double] = [
            0, -0.0, .leastNonzeroMagnitude, .greatestFiniteMagnitude, .infinity, -.infinity, .nan, .pi,
        ]
        var float: Float = 1.1
        var floats: [Float] = [.greatestFiniteMagnitude, .nan, -0.0]
    }

    struct Strings: Encodable, Sendable {
        var empty = ""
        var unicode = "Grüße 👋🏽 日本語 \u{301}é"
        var withNUL = "a\u{0}b"
        var long = String(repeating: "xyz", count: 200)
        var keys = ["ключ": 1, "🔑": 2]
    }

    struct Dates: Encodable, Sendable {
        var epoch = Date(timeIntervalSince1970: 0)
        var before1970 = Date(timeIntervalSince1970: -1.5)
        var justBefore1970 = Date(timeIntervalSince1970: -0.0005)
        var roundedDown = Date(timeIntervalSince1970: 1_732_500_000.1239)
        var yearOne = Date(timeIntervalSince1970: -62_135_596_800)
        var list = [Date(timeIntervalSince1970: 1.0009), Date(timeIntervalSince1970: -1.0009)]
    }

    struct Natives: Encodable, Sendable {
        var id = ObjectID()
        var ids = [ObjectID(), ObjectID()]
        var empty = Data()
        var data = Data([0, 1, 2, 255])
        var url = URL(string: "https://example.com/a?b=c#d")!
        var decimal = try! BSONDecimal128("-12.50")
        var binary = BSONBinary(data: Data(repeating: 7, count: 16), subtype: 4)
    }

    struct Inner: Encodable, Sendable {
        var name = "a"
        var score = 7
    }

    struct Empty: Encodable, Sendable {}

    struct Outer: Encodable, Sendable {
        var inner = Inner()
        var empty = Empty()
        var pair = Holder(value: Holder(value: Inner()))
        var after = "after"
    }

    struct Optionals: Encodable, Sendable {
        var number: Int?
        var text: String?
        var inner: Inner?
        var list: [Int?]?
    }

    struct ExplicitNils: Encodable, Sendable {
        enum Keys: CodingKey { case null, optional, absent, after }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: Keys.self)
            try container.encodeNil(forKey: .null)
            try container.encode(Int?.none, forKey: .optional)
            try container.encodeIfPresent(Int?.none, forKey: .absent)
            try container.encode(1, forKey: .after)
        }
    }

    struct Dictionaries: Encodable, Sendable {
        var strings = ["a": 1, "b": 2, "c": 3]
        var structs = ["x": Inner(), "y": Inner(name: "y", score: 0)]
        var ints = [1: "one", 20: "twenty"]
        var doubles = [1.5: "x"]
        var empty: [String: Int] = [:]
    }

    enum Status: String, Encodable, Sendable { case pending = "PENDING", granted = "GRANTED" }
    enum Level: Int, Encodable, Sendable { case one = 1, two }

    struct Enums: Encodable, Sendable {
        var status = Status.granted
        var level = Level.two
        var statuses: [Status] = [.pending, .granted]
        var levels: [Level?] = [.one, nil]
    }

    enum Shape: Encodable, Sendable {
        case circle(radius: Double)
        case rectangle(width: Int, height: Int)
    }

    struct Celsius: Encodable, Sendable {
        var degrees: Double

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(degrees)
        }
    }

    struct SingleScalar: Encodable, Sendable {
        var value: Int

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(value)
        }
    }

    struct Wrapper: Encodable, Sendable {
        var inner: Inner

        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(inner)
        }
    }

    struct Nothing: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {}
    }

    final class Nest: Encodable, Sendable {
        let child: Nest?
        let level: Int

        init(child: Nest?, level: Int) {
            self.child = child
            self.level = level
        }

        static func depth(_ depth: Int) -> Nest {
            (0..<depth).reduce(Nest(child: nil, level: 0)) { Nest(child: $0, level: $1 + 1) }
        }
    }

    struct Amounts: Encodable, Sendable {
        var label = "x"
        var amount: UInt64
    }

    enum TestKeys: CodingKey { case a, b, c, x, value }

    struct OutOfOrder: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            var first = container.nestedContainer(keyedBy: TestKeys.self, forKey: .a)
            var second = container.nestedUnkeyedContainer(forKey: .b)
            try second.encode(1)
            try first.encode(2, forKey: .x)
            try container.encode(3, forKey: .c)
        }
    }

    struct LateNested: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            var nested = container.nestedContainer(keyedBy: TestKeys.self, forKey: .a)
            try nested.encode(1, forKey: .x)
            try container.encode(2, forKey: .b)
            try nested.encode(3, forKey: .value)
        }
    }

    struct RepeatedKey: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            try container.encode(1, forKey: .a)
            try container.encode("b", forKey: .b)
            try container.encode("again", forKey: .a)
        }
    }

    struct TwiceRequested: Encodable, Sendable {
        enum Other: CodingKey { case other }

        func encode(to encoder: any Encoder) throws {
            var first = encoder.container(keyedBy: TestKeys.self)
            try first.encode(1, forKey: .a)
            var second = encoder.container(keyedBy: Other.self)
            try second.encode(2, forKey: .other)
        }
    }

    struct TwiceSingle: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.singleValueContainer()
            try container.encode(1)
            try container.encode("last wins")
        }
    }

    struct KeyedSuper: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            try container.encode(1, forKey: .a)
            try Inner().encode(to: container.superEncoder(forKey: .b))
            try container.encode(3, forKey: .c)
        }
    }

    struct UnkeyedSuper: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.unkeyedContainer()
            try container.encode(1)
            var single = container.superEncoder().singleValueContainer()
            try single.encode("super")
        }
    }

    struct ReadsPath: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            try container.encode(encoder.codingPath.map(\.stringValue), forKey: .value)
        }
    }

    struct Failing: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            throw EncodingError.invalidValue(0, .init(codingPath: encoder.codingPath, debugDescription: "refused"))
        }
    }

    struct Swallowing: Encodable, Sendable {
        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: TestKeys.self)
            try container.encode(1, forKey: .a)
            try? container.encode(UInt64.max, forKey: .b)
            try container.encode(3, forKey: .c)
        }
    }

    class Base: Encodable {
        var id = 1

        enum BaseKeys: CodingKey { case id }

        func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: BaseKeys.self)
            try container.encode(id, forKey: .id)
        }
    }

    final class Derived: Base {
        var name = "derived"

        enum DerivedKeys: CodingKey { case name }

        override func encode(to encoder: any Encoder) throws {
            var container = encoder.container(keyedBy: DerivedKeys.self)
            try container.encode(name, forKey: .name)
            try super.encode(to: container.superEncoder())
        }
    }
}

extension BSONByteEncoderTests.Holder: Sendable where Value: Sendable {}
