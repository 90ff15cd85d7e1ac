extension MongoCollection {
    /// Creates the indexes (idempotent for identical definitions).
    /// - Returns: The index names.
    /// - Throws: `MongoError.command` when an index of the same name exists with other
    ///   options (85/86), or a duplicate key already present blocks a unique index.
    @discardableResult
    public func createIndexes(_ models: [IndexModel]) async throws -> [String] {
        guard !models.isEmpty else { return [] }
        try await database.runCommand([
            "createIndexes": .string(name),
            "indexes": .array(models.map { .document($0.specification) }),
            "writeConcern": .document(writeConcern.document),
        ])
        return models.map(\.name)
    }

    /// Drops the index `indexName`, if there is one.
    /// - Returns: Whether it existed; a missing index or collection is not an error.
    /// - Throws: `MongoError` when MongoDB is unreachable or refuses the drop.
    @discardableResult
    public func dropIndex(named indexName: String) async throws -> Bool {
        do {
            try await database.runCommand([
                "dropIndexes": .string(name), "index": .string(indexName),
                "writeConcern": .document(writeConcern.document),
            ])
            return true
        } catch MongoError.command(let failure) where failure.code == 27 || failure.code == 26 {
            // 27 IndexNotFound, 26 NamespaceNotFound.
            return false
        }
    }

    /// The index specifications the server holds for this collection.
    public func listIndexes() async throws -> [BSONDocument] {
        let reply = try await database.runCommand(["listIndexes": .string(name), "cursor": [:]])
        return reply["cursor"]?.documentValue?["firstBatch"]?.arrayValue?.compactMap(\.documentValue) ?? []
    }
}
