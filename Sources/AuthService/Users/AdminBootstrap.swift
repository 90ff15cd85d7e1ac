import Logging
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Creates the `ADMIN_EMAIL` account with role ADMIN at start when no admin exists.
///
/// Safe when replicas start together: the account is inserted by an upsert on the unique
/// email, so at most one is created. An existing account with that email is never promoted
/// (whoever registered it knows its password, not the operator): the bootstrap then only
/// warns.
struct AdminBootstrap {
    let core: AuthCore

    func run(logger: Logger) async throws {
        guard let admin = core.settings.adminBootstrap else { return }
        guard try await core.users.countAdmins(excluding: nil) == 0 else {
            logger.debug("admin bootstrap skipped: an admin exists")
            return
        }
        let now = Date()
        let user = UserRecord(
            id: ObjectID(),
            email: admin.email,
            nickname: "admin",
            passwordHash: try await core.hasher.hash(admin.password),
            roles: [.admin],
            createdAt: now,
            updatedAt: now
        )
        let inserted: Bool
        do {
            inserted = try await core.users.insertUnlessEmailExists(user)
        } catch MongoError.duplicateKey {
            inserted = false  // another replica's upsert won the race
        }
        if inserted {
            logger.notice(
                "admin account created",
                metadata: ["user.id": .string(user.id.hex), "user.email": .string(admin.email)])
        } else if try await core.users.find(email: admin.email)?.roles.contains(.admin) != true {
            logger.warning(
                "admin bootstrap skipped: ADMIN_EMAIL belongs to an account without ADMIN",
                metadata: ["user.email": .string(admin.email)])
        }
    }
}
