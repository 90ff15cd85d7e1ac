/// Options of `find`: sort, projection, paging and batch size.
public struct FindOptions: Sendable {
    /// Sort specification, e.g. `["createdAt": -1, "_id": -1]`.
    public var sort: BSONDocument?
    /// Fields to include or exclude.
    public var projection: BSONDocument?
    /// The most documents to return; `nil` for all.
    public var limit: Int?
    /// How many matching documents to skip first.
    public var skip: Int?
    /// Documents per server round trip (and per cursor page).
    public var batchSize: Int?

    public init(
        sort: BSONDocument? = nil, projection: BSONDocument? = nil, limit: Int? = nil, skip: Int? = nil,
        batchSize: Int? = nil
    ) {
        self.sort = sort
        self.projection = projection
        self.limit = limit
        self.skip = skip
        self.batchSize = batchSize
    }

    func document() throws -> BSONDocument {
        var options = BSONDocument()
        if let sort { options.append("sort", .document(sort)) }
        if let projection { options.append("projection", .document(projection)) }
        if let limit {
            guard limit >= 0 else { throw MongoError.invalidArgument(message: "limit must not be negative") }
            options.append("limit", .int64(Int64(limit)))
        }
        if let skip {
            guard skip >= 0 else { throw MongoError.invalidArgument(message: "skip must not be negative") }
            options.append("skip", .int64(Int64(skip)))
        }
        if let batchSize {
            guard batchSize > 0 else { throw MongoError.invalidArgument(message: "batchSize must be positive") }
            options.append("batchSize", .int64(Int64(batchSize)))
        }
        return options
    }
}
