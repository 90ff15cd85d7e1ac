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

    /// The index specifications the server holds for this collection.
    public func listIndexes() async throws -> [BSONDocument] {
        let reply = try await database.runCommand(["listIndexes": .string(name), "cursor": [:]])
        return reply["cursor"]?.documentValue?["firstBatch"]?.arrayValue?.compactMap(\.documentValue) ?? []
    }
}
