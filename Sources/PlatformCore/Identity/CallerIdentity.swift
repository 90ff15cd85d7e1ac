/// Who is calling: the verified subject and roles of the request's access token.
///
/// The authentication middleware sets `CallerIdentity.current` for the duration of a
/// request, so generated OpenAPI handlers (which do not see the Hummingbird context) can
/// read it. Identity is only ever taken from a verified token — never from headers.
public struct CallerIdentity: Sendable, Hashable {
    /// The token's `sub`: a user's ObjectId hex, or a service client's id.
    public var subject: String
    /// The roles the token carries.
    public var roles: Set<Role>
    /// The token's `jti`.
    public var tokenID: String

    public init(subject: String, roles: Set<Role>, tokenID: String) {
        self.subject = subject
        self.roles = roles
        self.tokenID = tokenID
    }

    /// Whether the caller holds at least one of `roles`.
    public func holdsAny(of roles: Set<Role>) -> Bool {
        !self.roles.isDisjoint(with: roles)
    }

    /// Whether the caller holds a staff role (OPERATOR, AUDITOR or ADMIN).
    public var isStaff: Bool { holdsAny(of: Role.staff) }

    /// The identity of the request being handled, when its token was verified.
    @TaskLocal public static var current: CallerIdentity?
}

extension CallerIdentity {
    /// The `sub` of the SERVICE tokens auth signs for its own outbox relay; only this
    /// caller may deliver audit entries to the event service (`recordAuditLogs`).
    public static let authOutboxRelaySubject = "auth-outbox-relay"
}
