/// An ordered BSON document: keys keep the order they were added in, as MongoDB commands,
/// sort specifications and index keys require.
///
/// Lookup by key is a linear scan, which is the right trade for the small documents a
/// service handles; build large documents with `append`.
public struct BSONDocument: Sendable, Hashable {
    /// The fields in order.
    public private(set) var fields: [(key: String, value: BSON)]

    /// An empty document.
    public init() {
        fields = []
    }

    /// A document from ordered fields; a repeated key keeps its last value in its first place.
    public init(_ fields: some Sequence<(String, BSON)>) {
        self.fields = []
        for (key, value) in fields {
            self[key] = value
        }
    }

    init(uncheckedFields: [(key: String, value: BSON)]) {
        fields = uncheckedFields
    }

    /// The number of fields.
    public var count: Int { fields.count }

    /// Whether the document has no fields.
    public var isEmpty: Bool { fields.isEmpty }

    /// The keys in order.
    public var keys: [String] { fields.map(\.key) }

    /// The value under `key`, or `nil`; setting `nil` removes the field, setting a new key
    /// appends it.
    public subscript(key: String) -> BSON? {
        get {
            for field in fields where field.key == key {
                return field.value
            }
            return nil
        }
        set {
            if let index = fields.firstIndex(where: { $0.key == key }) {
                if let newValue {
                    fields[index].value = newValue
                } else {
                    fields.remove(at: index)
                }
            } else if let newValue {
                fields.append((key, newValue))
            }
        }
    }

    /// Appends a field without checking for an existing key (the caller knows it is new).
    public mutating func append(_ key: String, _ value: BSON) {
        fields.append((key, value))
    }

    /// Whether a field named `key` exists.
    public func contains(_ key: String) -> Bool {
        fields.contains { $0.key == key }
    }

    /// A copy with `value` placed first under `key` (used to put `_id` first).
    func prepending(_ key: String, _ value: BSON) -> BSONDocument {
        var copy = self
        copy.fields.removeAll { $0.key == key }
        copy.fields.insert((key, value), at: 0)
        return copy
    }

    public static func == (lhs: BSONDocument, rhs: BSONDocument) -> Bool {
        lhs.fields.count == rhs.fields.count
            && zip(lhs.fields, rhs.fields).allSatisfy { $0.key == $1.key && $0.value == $1.value }
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(fields.count)
        for field in fields {
            hasher.combine(field.key)
            hasher.combine(field.value)
        }
    }
}

extension BSONDocument: Sequence {
    public func makeIterator() -> IndexingIterator<[(key: String, value: BSON)]> {
        fields.makeIterator()
    }
}

extension BSONDocument: ExpressibleByDictionaryLiteral {
    /// A document literal; keys keep the order written.
    public init(dictionaryLiteral elements: (String, BSON)...) {
        self.init(elements)
    }
}

extension BSONDocument: CustomStringConvertible {
    /// Canonical Extended JSON.
    public var description: String { canonicalExtendedJSON }
}
