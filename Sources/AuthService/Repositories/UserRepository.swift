import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where user accounts live. Emails are passed lower-cased.
protocol UserRepository: Sendable {
    /// Stores a new user.
    /// - Throws: `MongoError.duplicateKey` when the email is taken.
    func insert(_ user: UserRecord) async throws

    /// The user with `id`, if any.
    func find(id: ObjectID) async throws -> UserRecord?

    /// The user with `email`, if any.
    func find(email: String) async throws -> UserRecord?

    /// Up to `limit` users, newest first (`_id` descending), holding `role` and with `email`
    /// when given, strictly older than `before` when given.
    func list(role: Role?, email: String?, before: ObjectID?, limit: Int) async throws -> [UserRecord]

    /// Replaces the roles of user `id` atomically and returns the user as it was, or `nil`
    /// when no user matched. With `unlessAdmin`, a user who holds ADMIN does not match, so
    /// the change can never remove an administrator.
    func replaceRoles(id: ObjectID, with roles: [Role], unlessAdmin: Bool, now: Date) async throws -> UserRecord?

    /// How many users hold ADMIN, not counting `excluded`.
    func countAdmins(excluding excluded: ObjectID?) async throws -> Int

    /// Inserts `user` unless a user with its email exists (an upsert, so replicas doing it
    /// at once create one account). Returns whether this call inserted it.
    func insertUnlessEmailExists(_ user: UserRecord) async throws -> Bool
}
