public import MongoKit

/// The auth database's storage definitions, public for `event-reward storage-spec`
/// (which writes `mongo-init/storage.json`): the indexes the service creates at start and
/// the read-only view auditors may query (docs/AUDITING.md).
public enum AuthStorage {
    /// A read-only view: its name, source collection and pipeline.
    public struct View: Sendable {
        public let name: String
        public let source: String
        public let pipeline: [BSONDocument]
    }

    /// Every index, by collection.
    public static var indexes: [(collection: String, indexes: [IndexModel])] { AuthIndexes.all }

    /// Auditors see accounts without their password hashes; the raw `users`,
    /// `refreshTokens` and `serviceClients` collections stay out of their reach.
    public static let views: [View] = [
        View(
            name: "user_directory", source: AuthIndexes.Collection.users,
            pipeline: [["$project": ["passwordHash": 0]]])
    ]
}
