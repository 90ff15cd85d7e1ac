/// Options of `findOneAndUpdate` (the `findAndModify` command).
public struct FindOneAndUpdateOptions: Sendable {
    /// Which version of the document to return.
    public enum ReturnDocument: Sendable {
        case before
        case after
    }

    public var returnDocument: ReturnDocument
    /// Insert a document built from the filter and update when none matches.
    public var upsert: Bool
    /// Which document to modify when several match.
    public var sort: BSONDocument?
    /// Fields of the returned document.
    public var projection: BSONDocument?

    public init(
        returnDocument: ReturnDocument = .before, upsert: Bool = false, sort: BSONDocument? = nil,
        projection: BSONDocument? = nil
    ) {
        self.returnDocument = returnDocument
        self.upsert = upsert
        self.sort = sort
        self.projection = projection
    }
}
