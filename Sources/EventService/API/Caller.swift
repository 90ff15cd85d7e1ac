import MongoKit
import PlatformCore

/// The verified caller of a generated handler (which does not see the Hummingbird
/// context), with the operation's `x-roles` enforced — defence in depth behind the gateway.
enum Caller {
    /// The caller when they hold one of `roles`.
    /// - Throws: `APIError` 401 without a token, 403 without the role.
    static func require(_ roles: Set<Role>) throws -> CallerIdentity {
        try CallerIdentity.require(anyOf: roles)
    }

    /// The caller's user id, for operations of USER: their token's subject as an ObjectId.
    /// - Throws: 403 when the subject is not a user id (e.g. a service client's).
    static func userID(_ caller: CallerIdentity) throws -> ObjectID {
        guard let id = ObjectID(validating: caller.subject), id.hex == caller.subject else {
            throw APIError(.forbidden, message: "This token does not identify a user.")
        }
        return id
    }

    /// The request id, for audit entries.
    static var requestID: String? { RequestIdentifier.current }
}
