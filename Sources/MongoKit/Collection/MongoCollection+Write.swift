internal import CMongoC

extension MongoCollection {
    /// Inserts one document, generating an ObjectID `_id` when the value has none.
    /// - Returns: The `_id` stored.
    /// - Throws: `MongoError.duplicateKey` when a unique index refuses it.
    @discardableResult
    public func insertOne(_ value: T) async throws -> InsertOneResult {
        let (bytes, id) = try encodedForInsert(value)
        let options = writeOptions()
        _ = try await withCollection { collection in
            let documentHandle = try BSONHandle(bytes: bytes)
            let optionsHandle = try BSONHandle(copying: options)
            defer { withExtendedLifetime((documentHandle, optionsHandle)) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok = mongoc_collection_insert_one(
                collection, documentHandle.opaque, optionsHandle.opaque, reply.opaque, error.pointer)
            return try Replies.checked(ok, reply: reply, error: error)
        }
        return InsertOneResult(insertedID: id)
    }

    /// Inserts documents in order, stopping at the first failure when `ordered`.
    /// - Throws: `MongoError.duplicateKey` for the first refused document.
    @discardableResult
    public func insertMany(_ values: [T], ordered: Bool = true) async throws -> InsertManyResult {
        guard !values.isEmpty else { return InsertManyResult(insertedIDs: []) }
        let prepared = try values.map { try encodedForInsert($0) }
        let documents = prepared.map(\.bytes)
        let options = writeOptions(["ordered": .bool(ordered)])
        _ = try await withCollection { collection in
            let handles = try documents.map { try BSONHandle(bytes: $0) }
            var pointers: [OpaquePointer?] = handles.map(\.opaque)
            let optionsHandle = try BSONHandle(copying: options)
            defer { withExtendedLifetime((handles, optionsHandle)) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok = pointers.withUnsafeMutableBufferPointer { buffer in
                mongoc_collection_insert_many(
                    collection, buffer.baseAddress, buffer.count, optionsHandle.opaque, reply.opaque, error.pointer)
            }
            return try Replies.checked(ok, reply: reply, error: error)
        }
        return InsertManyResult(insertedIDs: prepared.map(\.id))
    }

    /// Applies `update` (operators such as `$set`) to the first document matching `filter`.
    /// - Throws: `MongoError.duplicateKey` when the change or upsert breaks a unique index.
    @discardableResult
    public func updateOne(
        filter: BSONDocument, update: BSONDocument, upsert: Bool = false
    ) async throws
        -> UpdateResult
    {
        try await performUpdate(filter: filter, update: update, upsert: upsert, many: false)
    }

    /// Applies `update` to every document matching `filter`.
    @discardableResult
    public func updateMany(
        filter: BSONDocument, update: BSONDocument, upsert: Bool = false
    ) async throws
        -> UpdateResult
    {
        try await performUpdate(filter: filter, update: update, upsert: upsert, many: true)
    }

    private func performUpdate(
        filter: BSONDocument, update: BSONDocument, upsert: Bool, many: Bool
    ) async throws
        -> UpdateResult
    {
        let options = writeOptions(["upsert": .bool(upsert)])
        let reply = try await withCollection { collection in
            let filterHandle = try BSONHandle(copying: filter)
            let updateHandle = try BSONHandle(copying: update)
            let optionsHandle = try BSONHandle(copying: options)
            defer { withExtendedLifetime((filterHandle, updateHandle, optionsHandle)) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok =
                many
                ? mongoc_collection_update_many(
                    collection, filterHandle.opaque, updateHandle.opaque, optionsHandle.opaque, reply.opaque,
                    error.pointer)
                : mongoc_collection_update_one(
                    collection, filterHandle.opaque, updateHandle.opaque, optionsHandle.opaque, reply.opaque,
                    error.pointer)
            return try Replies.checked(ok, reply: reply, error: error)
        }
        return UpdateResult(
            matchedCount: reply["matchedCount"]?.intValue ?? 0,
            modifiedCount: reply["modifiedCount"]?.intValue ?? 0,
            upsertedID: reply["upsertedId"])
    }

    /// Deletes the first document matching `filter`.
    @discardableResult
    public func deleteOne(filter: BSONDocument) async throws -> DeleteResult {
        try await performDelete(filter: filter, many: false)
    }

    /// Deletes every document matching `filter`.
    @discardableResult
    public func deleteMany(filter: BSONDocument) async throws -> DeleteResult {
        try await performDelete(filter: filter, many: true)
    }

    private func performDelete(filter: BSONDocument, many: Bool) async throws -> DeleteResult {
        let options = writeOptions()
        let reply = try await withCollection { collection in
            let filterHandle = try BSONHandle(copying: filter)
            let optionsHandle = try BSONHandle(copying: options)
            defer { withExtendedLifetime((filterHandle, optionsHandle)) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok =
                many
                ? mongoc_collection_delete_many(
                    collection, filterHandle.opaque, optionsHandle.opaque, reply.opaque, error.pointer)
                : mongoc_collection_delete_one(
                    collection, filterHandle.opaque, optionsHandle.opaque, reply.opaque, error.pointer)
            return try Replies.checked(ok, reply: reply, error: error)
        }
        return DeleteResult(deletedCount: reply["deletedCount"]?.intValue ?? 0)
    }

    /// Drops the collection and its indexes; dropping a missing collection is not an error.
    public func drop() async throws {
        do {
            try await database.runCommand([
                "drop": .string(name), "writeConcern": .document(writeConcern.document),
            ])
        } catch MongoError.command(let failure) where failure.code == 26 {
            return  // NamespaceNotFound: already gone
        }
    }

    /// The document with an `_id` first, generated when missing.
    /// `value`'s BSON bytes for an insert and its `_id`, generated when it has none.
    ///
    /// Encoded straight to bytes; a value whose first field is an ObjectID `_id` (every
    /// typed model of the platform) goes as encoded, any other is read back to find or add
    /// its `_id`.
    func encodedForInsert(_ value: T) throws -> (bytes: [UInt8], id: BSON) {
        let bytes: [UInt8]
        do {
            bytes = try BSONEncoder().encodeBytes(value)
        } catch {
            throw MongoError.from(encodingError: error)
        }
        if let id = Self.leadingObjectID(bytes) {
            return (bytes, .objectID(id))
        }
        do {
            let (document, id) = Self.withID(try BSONDocument(bytes: bytes))
            return (try BSONWriter.serialize(document), id)
        } catch {
            throw MongoError.from(encodingError: error)
        }
    }

    /// The ObjectID of a document whose first element is `_id` of type ObjectID.
    static func leadingObjectID(_ bytes: [UInt8]) -> ObjectID? {
        // length (4), type 0x07, "_id\0", 12 bytes of id
        guard bytes.count >= 21, bytes[4] == 0x07, bytes[5] == 0x5F, bytes[6] == 0x69, bytes[7] == 0x64,
            bytes[8] == 0
        else { return nil }
        return try? ObjectID(bytes: Array(bytes[9..<21]))
    }

    static func withID(_ document: BSONDocument) -> (document: BSONDocument, id: BSON) {
        if let id = document["_id"] {
            return (document, id)
        }
        let id = BSON.objectID(ObjectID())
        return (document.prepending("_id", id), id)
    }
}
