import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A user account as stored in `users`: email lower-cased and unique, roles as strings,
/// the bcrypt hash of the password (never leaves this service).
struct UserRecord: Codable, Sendable, Equatable {
    var id: ObjectID
    var email: String
    var nickname: String
    var passwordHash: String
    var roles: [Role]
    var createdAt: Date
    var updatedAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case email, nickname, passwordHash, roles, createdAt, updatedAt
    }

    /// The user as the API shows it: no hash, roles in a stable order.
    var api: Components.Schemas.User {
        Components.Schemas.User(
            id: id.hex,
            email: email,
            nickname: nickname,
            roles: roles.apiRoles,
            createdAt: createdAt
        )
    }
}

extension Sequence<Role> {
    /// The assignable roles in `Role`'s declaration order, without duplicates.
    var apiRoles: [Components.Schemas.Role] {
        let held = Set(self)
        return Role.allCases.filter { held.contains($0) }.compactMap { Components.Schemas.Role(rawValue: $0.rawValue) }
    }
}
