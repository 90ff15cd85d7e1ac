internal import CMongoC

extension MongoCollection {
    /// The documents matching `filter`, as a cursor that pages with `getMore`.
    /// - Throws: `MongoError.invalidArgument` for negative limit/skip; errors of the query
    ///   itself surface while iterating.
    public func find(_ filter: BSONDocument = [:], options: FindOptions = FindOptions()) throws -> MongoCursor<T> {
        let optionsDocument = try options.document()
        let pageSize = options.batchSize ?? 101
        return MongoCursor(pool: pool, pageSize: pageSize) { [database = database.name, name] resources in
            try await resources.open(database: database, collection: name) { collection in
                let filterHandle = try BSONHandle(copying: filter)
                let optionsHandle = try BSONHandle(copying: optionsDocument)
                defer { withExtendedLifetime((filterHandle, optionsHandle)) {} }
                return mongoc_collection_find_with_opts(collection, filterHandle.opaque, optionsHandle.opaque, nil)
            }
        }
    }

    /// The first document matching `filter` (in `sort` order), or `nil`.
    public func findOne(_ filter: BSONDocument = [:], sort: BSONDocument? = nil) async throws -> T? {
        var options: BSONDocument = ["limit": .int64(1), "singleBatch": true]
        if let sort { options.append("sort", .document(sort)) }
        let document = try await withCollection { [options] collection -> BSONDocument? in
            let filterHandle = try BSONHandle(copying: filter)
            let optionsHandle = try BSONHandle(copying: options)
            defer { withExtendedLifetime((filterHandle, optionsHandle)) {} }
            let cursor = mongoc_collection_find_with_opts(collection, filterHandle.opaque, optionsHandle.opaque, nil)!
            defer { mongoc_cursor_destroy(cursor) }
            var current: OpaquePointer?
            if mongoc_cursor_next(cursor, &current), let current {
                return try BSONHandle.document(from: current)
            }
            let error = BSONErrorBuffer()
            var reply: OpaquePointer?
            if mongoc_cursor_error_document(cursor, error.pointer, &reply) {
                throw ErrorTranslation.translate(error, reply: reply.flatMap { try? BSONHandle.document(from: $0) })
            }
            return nil
        }
        return try document.map { try decode($0, as: T.self) }
    }

    /// How many documents match `filter`.
    public func countDocuments(_ filter: BSONDocument = [:]) async throws -> Int {
        try await withCollection { collection in
            let filterHandle = try BSONHandle(copying: filter)
            defer { withExtendedLifetime(filterHandle) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let count = mongoc_collection_count_documents(
                collection, filterHandle.opaque, nil, nil, reply.opaque, error.pointer)
            guard count >= 0 else {
                throw ErrorTranslation.translate(error, reply: try? reply.document())
            }
            return Int(count)
        }
    }
}
