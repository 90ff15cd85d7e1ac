import Logging
public import MongoKit

/// Runs `body` with a client pool on the test endpoint and a database name no other test
/// uses; the database is dropped and the pool closed afterwards, also when `body` throws.
/// - Parameters:
///   - maxPoolSize: Connections in the pool (concurrency tests want several).
public func withTestDatabase<Result>(
    maxPoolSize: Int = 8,
    _ body: (MongoDatabase) async throws -> Result
) async throws -> Result {
    let pool = try await makeTestPool(maxPoolSize: maxPoolSize)
    let database = pool.database(uniqueDatabaseName())
    do {
        let result = try await body(database)
        try? await database.drop()
        await pool.close()
        return result
    } catch {
        try? await database.drop()
        await pool.close()
        throw error
    }
}

/// A pool on the test endpoint with short timeouts, so a broken test fails fast.
public func makeTestPool(maxPoolSize: Int = 8) async throws -> MongoClientPool {
    let configuration = MongoClientConfiguration(
        uri: try await MongoTestEndpoint.uri(), maxPoolSize: maxPoolSize,
        serverSelectionTimeout: .seconds(5), connectTimeout: .seconds(2), socketTimeout: .seconds(20),
        appName: "tests")
    return try MongoClientPool(configuration: configuration, logger: Logger(label: "tests"))
}

/// `t_` and 16 random hex digits: a fresh database per test.
public func uniqueDatabaseName(_ prefix: String = "t") -> String {
    "\(prefix)_\(String(UInt64.random(in: .min ... .max), radix: 16))"
}

/// The commands the test double executed against the database `name`, in order (e.g.
/// `find`, `getMore`, `aggregate`). Only meaningful when `MongoTestEndpoint.usesDouble`.
public func doubleCommandLog(pool: MongoClientPool, database name: String) async throws -> [String] {
    let reply = try await pool.database("admin").runCommand(["doubleCommandLog": 1, "db": .string(name)])
    return (reply["entries"]?.arrayValue ?? []).compactMap { $0.documentValue?["command"]?.stringValue }
}
