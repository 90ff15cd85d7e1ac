import Logging
import MongoKit
import PlatformCore

extension AuthAPI {
    /// `GET /users` (ADMIN): users newest first, by role and email, a page at a time.
    func listUsers(_ input: Operations.listUsers.Input) async throws -> Operations.listUsers.Output {
        _ = try CallerIdentity.require(anyOf: [.admin])
        let limit = try InputValidation.limit(input.query.limit)
        let email = try input.query.email.map { try InputValidation.email($0) }
        let before = try PageCursor.decode(input.query.cursor, kind: .users)
        let role = input.query.role.flatMap { Role(rawValue: $0.rawValue) }

        // One more than asked tells whether another page follows.
        let found = try await core.users.list(role: role, email: email, before: before, limit: limit + 1)
        let page = found.prefix(limit)
        let nextCursor = found.count > limit ? page.last.map { PageCursor.encode(.users, after: $0.id) } : nil
        return .ok(.init(body: .json(.init(items: page.map(\.api), nextCursor: nextCursor))))
    }

    /// `PUT /users/{id}/roles` (ADMIN): replaces a user's roles; never removes the last
    /// admin. Audited.
    func setUserRoles(_ input: Operations.setUserRoles.Input) async throws -> Operations.setUserRoles.Output {
        let caller = try CallerIdentity.require(anyOf: [.admin])
        let id = try ObjectID(contractHex: input.path.id, field: "id")
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        let roles = body.roles.compactMap { Role(rawValue: $0.rawValue) }
        guard (1...4).contains(roles.count), Set(roles).count == roles.count else {
            throw APIError.invalidField("roles", "The roles must be 1 to 4 distinct roles.")
        }

        let logger = requestLogger
        let change = try await RoleAssignment(core: core).setRoles(of: id, to: roles, logger: logger)
        await audit.record(
            AuditEntry(
                by: caller, action: "user.roles.set", target: .init(type: "user", id: id.hex),
                before: ["roles": .array(change.before.roles.apiRoles.map { .string($0.rawValue) })],
                after: ["roles": .array(change.after.roles.apiRoles.map { .string($0.rawValue) })],
                at: change.after.updatedAt),
            logger: logger)
        logger.notice(
            "user roles changed",
            metadata: [
                "target.user.id": .string(id.hex),
                "roles.after": .string(change.after.roles.apiRoles.map(\.rawValue).joined(separator: ",")),
            ])
        return .ok(.init(body: .json(change.after.api)))
    }
}

extension PageCursor.Kind {
    /// `GET /users`.
    static let users = Self("us")
}
