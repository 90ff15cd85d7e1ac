internal import CMongoC

extension MongoCollection {
    /// Atomically updates the first document matching `filter` and returns it as it was
    /// before or after the update (`nil` when none matched and nothing was upserted).
    /// - Throws: `MongoError.duplicateKey` when an upsert collides with a unique index.
    public func findOneAndUpdate(
        filter: BSONDocument, update: BSONDocument, options: FindOneAndUpdateOptions = FindOneAndUpdateOptions()
    ) async throws -> T? {
        var flags = MONGOC_FIND_AND_MODIFY_NONE.rawValue
        if options.upsert { flags |= MONGOC_FIND_AND_MODIFY_UPSERT.rawValue }
        if options.returnDocument == .after { flags |= MONGOC_FIND_AND_MODIFY_RETURN_NEW.rawValue }
        return try await findAndModify(
            filter: filter, update: update, flags: flags, sort: options.sort, projection: options.projection)
    }

    /// Atomically deletes the first document matching `filter` (in `sort` order) and returns it.
    public func findOneAndDelete(filter: BSONDocument, sort: BSONDocument? = nil) async throws -> T? {
        try await findAndModify(
            filter: filter, update: nil, flags: MONGOC_FIND_AND_MODIFY_REMOVE.rawValue, sort: sort, projection: nil)
    }

    private func findAndModify(
        filter: BSONDocument, update: BSONDocument?, flags: UInt32, sort: BSONDocument?, projection: BSONDocument?
    ) async throws -> T? {
        let extra = writeOptions()
        let reply = try await withCollection { collection in
            let options = mongoc_find_and_modify_opts_new()!
            defer { mongoc_find_and_modify_opts_destroy(options) }
            // libmongoc copies what the opts setters are given; the handles still live to the
            // end of the call, since an optimised build may release a handle right after the
            // last read of its pointer.
            let updateHandle = try update.map { try BSONHandle(copying: $0) }
            let sortHandle = try sort.map { try BSONHandle(copying: $0) }
            let projectionHandle = try projection.map { try BSONHandle(copying: $0) }
            let extraHandle = try BSONHandle(copying: extra)
            if let updateHandle { mongoc_find_and_modify_opts_set_update(options, updateHandle.opaque) }
            if let sortHandle { mongoc_find_and_modify_opts_set_sort(options, sortHandle.opaque) }
            if let projectionHandle { mongoc_find_and_modify_opts_set_fields(options, projectionHandle.opaque) }
            mongoc_find_and_modify_opts_set_flags(options, mongoc_find_and_modify_flags_t(rawValue: flags))
            mongoc_find_and_modify_opts_append(options, extraHandle.opaque)
            let filterHandle = try BSONHandle(copying: filter)
            defer { withExtendedLifetime((updateHandle, sortHandle, projectionHandle, extraHandle, filterHandle)) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok = mongoc_collection_find_and_modify_with_opts(
                collection, filterHandle.opaque, options, reply.opaque, error.pointer)
            return try Replies.checked(ok, reply: reply, error: error)
        }
        guard case .document(let value) = reply["value"] else { return nil }
        return try decode(value, as: T.self)
    }
}
