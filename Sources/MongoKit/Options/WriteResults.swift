/// What `insertOne` wrote.
public struct InsertOneResult: Sendable {
    /// The `_id` of the new document (generated when the value had none).
    public var insertedID: BSON
}

/// What `insertMany` wrote.
public struct InsertManyResult: Sendable {
    /// The `_id`s in input order.
    public var insertedIDs: [BSON]
}

/// What an update matched and changed.
public struct UpdateResult: Sendable {
    public var matchedCount: Int
    public var modifiedCount: Int
    /// The `_id` of the document an upsert inserted, if it inserted one.
    public var upsertedID: BSON?
}

/// How many documents a delete removed.
public struct DeleteResult: Sendable {
    public var deletedCount: Int
}
