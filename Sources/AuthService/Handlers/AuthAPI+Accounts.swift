import Logging
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AuthAPI {
    /// `POST /auth/register` (public): a new account with role USER.
    func register(_ input: Operations.register.Input) async throws -> Operations.register.Output {
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        let email = try InputValidation.email(body.email)
        try InputValidation.newPassword(body.password)
        try InputValidation.displayText(body.nickname, field: "nickname", length: 1...32)

        let now = Date()
        let user = UserRecord(
            id: ObjectID(),
            email: email,
            nickname: body.nickname,
            passwordHash: try await core.hasher.hash(body.password),
            roles: [.user],
            createdAt: now,
            updatedAt: now
        )
        do {
            try await core.users.insert(user)
        } catch MongoError.duplicateKey {
            throw APIError(.emailTaken)
        }
        requestLogger.info("user registered", metadata: ["user.id": .string(user.id.hex)])
        return .created(.init(body: .json(user.api)))
    }

    /// `GET /auth/me` (any signed-in user): the caller's account.
    func getMe(_ input: Operations.getMe.Input) async throws -> Operations.getMe.Output {
        let caller = try CallerIdentity.require(anyOf: Self.anyUser)
        // A token whose subject is not (or no longer) an account does not authenticate anyone.
        guard let id = ObjectID(validating: caller.subject), let user = try await core.users.find(id: id) else {
            throw APIError.invalidAccessToken
        }
        return .ok(.init(body: .json(user.api)))
    }
}
