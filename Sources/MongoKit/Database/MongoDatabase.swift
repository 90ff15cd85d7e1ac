internal import CMongoC

/// A database on the pool's deployment. A cheap value: no I/O until an operation runs.
public struct MongoDatabase: Sendable {
    /// The database name.
    public let name: String
    let pool: MongoClientPool

    init(name: String, pool: MongoClientPool) {
        self.name = name
        self.pool = pool
    }

    /// A collection whose documents decode as `T` (`BSONDocument` for untyped access).
    public func collection<T: Codable>(_ name: String, withType type: T.Type = BSONDocument.self) -> MongoCollection<T>
    {
        MongoCollection(database: self, name: name)
    }

    /// Runs a database command and returns its reply.
    /// - Throws: `MongoError.command` when the server answers `ok: 0`, or a connection error.
    @discardableResult
    public func runCommand(_ command: BSONDocument) async throws -> BSONDocument {
        try await pool.withClient { [name] client in
            let database = mongoc_client_get_database(client, name)!
            defer { mongoc_database_destroy(database) }
            let commandHandle = try BSONHandle(copying: command)
            defer { withExtendedLifetime(commandHandle) {} }
            let reply = BSONHandle(reply: ())
            let error = BSONErrorBuffer()
            let ok = mongoc_database_command_with_opts(
                database, commandHandle.opaque, nil, nil, reply.opaque, error.pointer)
            return try Replies.checked(ok, reply: reply, error: error)
        }
    }

    /// Drops the whole database.
    public func drop() async throws {
        try await runCommand(["dropDatabase": 1, "writeConcern": .document(WriteConcern.majorityJournaled.document)])
    }

    /// The names of the collections (and views) in this database.
    public func listCollectionNames() async throws -> [String] {
        let reply = try await runCommand(["listCollections": 1, "nameOnly": true, "cursor": [:]])
        let batch = reply["cursor"]?.documentValue?["firstBatch"]?.arrayValue ?? []
        return batch.compactMap { $0.documentValue?["name"]?.stringValue }
    }

    /// Creates a read-only view `name` over `source` through `pipeline`.
    /// - Throws: `MongoError.command` (e.g. 48 NamespaceExists) when it cannot be created.
    public func createView(_ name: String, on source: String, pipeline: [BSONDocument]) async throws {
        try await runCommand([
            "create": .string(name), "viewOn": .string(source), "pipeline": .array(pipeline.map(BSON.document)),
            "writeConcern": .document(WriteConcern.majorityJournaled.document),
        ])
    }
}

/// Reply checks shared by every operation.
enum Replies {
    /// The reply document when `ok`, otherwise the translated error.
    static func checked(_ ok: Bool, reply: BSONHandle, error: BSONErrorBuffer) throws -> BSONDocument {
        let document = try reply.document()
        guard ok else { throw ErrorTranslation.translate(error, reply: document) }
        return document
    }
}
