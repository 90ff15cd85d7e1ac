internal import CMongoC

/// A collection whose documents are `T`, encoded with `BSONEncoder` and decoded with
/// `BSONDecoder`. Every operation is `async`, runs its libmongoc call on the pool's
/// thread pool, and throws `MongoError`.
public struct MongoCollection<T: Codable>: Sendable {
    /// The collection name.
    public let name: String
    /// The database it belongs to.
    public let database: MongoDatabase
    /// Write concern of every write; `{w: "majority", j: true}` unless changed.
    public var writeConcern: WriteConcern = .majorityJournaled

    init(database: MongoDatabase, name: String) {
        self.database = database
        self.name = name
    }

    var pool: MongoClientPool { database.pool }

    /// The same collection decoding as `U`.
    public func withType<U: Codable>(_ type: U.Type) -> MongoCollection<U> {
        var collection = MongoCollection<U>(database: database, name: name)
        collection.writeConcern = writeConcern
        return collection
    }

    /// Runs `body` with a `mongoc_collection_t` on a pooled client, on the thread pool.
    func withCollection<Result: Sendable>(
        _ body: @escaping @Sendable (OpaquePointer) throws -> Result
    ) async throws -> Result {
        try await pool.withClient { [database = database.name, name] client in
            let collection = mongoc_client_get_collection(client, database, name)!
            defer { mongoc_collection_destroy(collection) }
            return try body(collection)
        }
    }

    /// `{writeConcern: …}` plus any extra options.
    func writeOptions(_ extra: BSONDocument = [:]) -> BSONDocument {
        var options = extra
        options["writeConcern"] = .document(writeConcern.document)
        return options
    }

    func decode<U: Decodable>(_ document: BSONDocument, as type: U.Type) throws -> U {
        do {
            return try BSONDecoder().decode(type, from: document)
        } catch {
            throw MongoError.from(decodingError: error)
        }
    }
}
