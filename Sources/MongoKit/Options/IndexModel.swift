/// An index to create: its keys and options, in MongoDB's own vocabulary, so the same
/// definition can be printed for `mongo-init/` and compared with what the server lists.
public struct IndexModel: Sendable, Equatable {
    /// Key specification in order, e.g. `["userId": 1, "eventId": 1]`.
    public var keys: BSONDocument
    /// The index name; defaults to MongoDB's `field_1_other_-1` convention.
    public var name: String
    public var unique: Bool
    /// Only documents matching this filter are indexed (and checked for uniqueness).
    public var partialFilterExpression: BSONDocument?
    /// For a TTL index on a date field: seconds after that date when a document expires.
    public var expireAfterSeconds: Int?

    public init(
        keys: BSONDocument, name: String? = nil, unique: Bool = false,
        partialFilterExpression: BSONDocument? = nil, expireAfterSeconds: Int? = nil
    ) {
        self.keys = keys
        self.name = name ?? IndexModel.defaultName(for: keys)
        self.unique = unique
        self.partialFilterExpression = partialFilterExpression
        self.expireAfterSeconds = expireAfterSeconds
    }

    /// `{a: 1, b: -1}` → `a_1_b_-1`, as the server names unnamed indexes.
    public static func defaultName(for keys: BSONDocument) -> String {
        keys.fields.map { field in
            let direction =
                switch field.value {
                case .string(let text): text
                default: field.value.intValue.map(String.init) ?? "1"
                }
            return "\(field.key)_\(direction)"
        }.joined(separator: "_")
    }

    /// The specification as sent in `createIndexes`.
    public var specification: BSONDocument {
        var specification: BSONDocument = ["key": .document(keys), "name": .string(name)]
        if unique { specification.append("unique", true) }
        if let partialFilterExpression {
            specification.append("partialFilterExpression", .document(partialFilterExpression))
        }
        if let expireAfterSeconds {
            specification.append("expireAfterSeconds", .int32(Int32(clamping: expireAfterSeconds)))
        }
        return specification
    }
}
