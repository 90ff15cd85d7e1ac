public import MongoKit

/// Every collection of the auth database and every index on it — the one place they are
/// defined, so `mongo-init/` can be generated from (or compared with) `AuthIndexes.all`.
public enum AuthIndexes {
    /// Collection names of the auth database.
    public enum Collection {
        public static let users = "users"
        public static let refreshTokens = "refreshTokens"
        public static let serviceClients = "serviceClients"
        public static let outbox = "outbox"
        public static let loginAttempts = "loginAttempts"
        public static let locks = "locks"
    }

    /// The indexes of each collection, by collection name.
    public static let all: [(collection: String, indexes: [IndexModel])] = [
        (
            Collection.users,
            [
                // Emails are stored lower-cased, so this is a case-insensitive uniqueness.
                IndexModel(keys: ["email": 1], unique: true),
                // GET /users?role=… newest first.
                IndexModel(keys: ["roles": 1, "_id": -1]),
            ]
        ),
        (
            Collection.refreshTokens,
            [
                IndexModel(keys: ["tokenHash": 1], unique: true),
                IndexModel(keys: ["familyId": 1, "status": 1]),
                // Expired tokens disappear on their own.
                IndexModel(keys: ["expiresAt": 1], expireAfterSeconds: 0),
            ]
        ),
        (
            Collection.serviceClients,
            [
                IndexModel(keys: ["clientId": 1], unique: true),
                IndexModel(keys: ["name": 1], unique: true),
            ]
        ),
        (
            Collection.outbox,
            [
                // The relay's query: PENDING records whose lease (or retry delay) has passed.
                IndexModel(keys: ["status": 1, "leaseUntil": 1]),
                // Delivered records are kept a while for inspection, then removed.
                IndexModel(keys: ["purgeAt": 1], expireAfterSeconds: 0),
            ]
        ),
        (
            Collection.loginAttempts,
            [
                // A counter lives until its window ends.
                IndexModel(keys: ["expiresAt": 1], expireAfterSeconds: 0)
            ]
        ),
        (
            Collection.locks,
            [
                // A lock whose holder died goes away a while after its lease.
                IndexModel(keys: ["expiresAt": 1], expireAfterSeconds: 0)
            ]
        ),
    ]

    /// Creates every index (idempotent: existing identical indexes are left alone).
    /// - Throws: `MongoError` (e.g. an index of the same name with other options).
    public static func create(in database: MongoDatabase) async throws {
        for (collection, indexes) in all {
            try await database.collection(collection).createIndexes(indexes)
        }
    }
}
