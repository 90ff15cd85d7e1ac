import HTTPTypes
import Logging
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Replaces a user's roles without ever leaving the platform without an ADMIN.
///
/// A change that keeps ADMIN, or that targets a user who is not an admin, cannot lower the
/// number of admins: it is one conditional update (`roles != ADMIN` in its filter when the
/// new roles lack ADMIN, so a user promoted meanwhile is not demoted by it). Only removing
/// ADMIN from an admin can, and those changes are serialised by a lock shared across
/// replicas: under it, "is another admin left?" and the demotion happen with no other
/// demotion in between, so two admins demoting each other at once leave one.
struct RoleAssignment: Sendable {
    let core: AuthCore
    /// How long the admin lock is held at most (a crashed holder's lock frees itself).
    var lockLease: Duration = .seconds(10)
    /// How long to wait for the lock before answering 503.
    var lockWait: Duration = .seconds(5)

    static let lockName = "users.admin-demotion"

    /// The user as it was and as it is after the change.
    struct Change: Sendable {
        let before: UserRecord
        let after: UserRecord
    }

    /// Sets the roles of user `id` to `roles`.
    /// - Throws: `NOT_FOUND` for no such user, `LAST_ADMIN` (409) when it would remove the
    ///   last admin, `SERVICE_UNAVAILABLE` when the lock stays busy.
    func setRoles(of id: ObjectID, to roles: [Role], logger: Logger) async throws -> Change {
        let now = Date()
        if roles.contains(.admin) {
            guard let before = try await core.users.replaceRoles(id: id, with: roles, unlessAdmin: false, now: now)
            else { throw APIError(.notFound) }
            return Change(before: before, after: before.with(roles: roles, at: now))
        }
        if let before = try await core.users.replaceRoles(id: id, with: roles, unlessAdmin: true, now: now) {
            return Change(before: before, after: before.with(roles: roles, at: now))
        }
        // No match: no such user, or an admin about to lose ADMIN.
        guard try await core.users.find(id: id) != nil else { throw APIError(.notFound) }
        return try await withAdminLock(logger: logger) {
            guard let current = try await core.users.find(id: id) else { throw APIError(.notFound) }
            if current.roles.contains(.admin), try await core.users.countAdmins(excluding: id) == 0 {
                throw APIError(.lastAdmin)
            }
            let now = Date()
            guard let before = try await core.users.replaceRoles(id: id, with: roles, unlessAdmin: false, now: now)
            else { throw APIError(.notFound) }
            return Change(before: before, after: before.with(roles: roles, at: now))
        }
    }

    private func withAdminLock<Result: Sendable>(
        logger: Logger, _ body: () async throws -> Result
    ) async throws -> Result {
        let owner = OpaqueToken.hexIdentifier()
        let clock = ContinuousClock()
        let deadline = clock.now + lockWait
        var pause = Duration.milliseconds(10)
        while true {
            let now = Date()
            let until = now.addingTimeInterval(lockLease.seconds)
            if try await core.locks.acquire(Self.lockName, owner: owner, now: now, until: until) { break }
            guard clock.now < deadline else {
                logger.warning("admin lock busy", metadata: ["lock": .string(Self.lockName)])
                throw APIError(
                    .serviceUnavailable, message: "The service is busy; try again later.", headers: [.retryAfter: "1"])
            }
            try await Task.sleep(for: pause)
            pause = min(pause * 2, .milliseconds(200))
        }
        do {
            let result = try await body()
            try? await core.locks.release(Self.lockName, owner: owner)
            return result
        } catch {
            try? await core.locks.release(Self.lockName, owner: owner)
            throw error
        }
    }
}

extension UserRecord {
    fileprivate func with(roles: [Role], at now: Date) -> UserRecord {
        var copy = self
        copy.roles = roles
        copy.updatedAt = now
        return copy
    }
}
