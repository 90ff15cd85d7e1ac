extension CallerIdentity {
    /// The current caller when they hold one of `roles` (the operation's `x-roles`).
    /// - Throws: `APIError` `UNAUTHORIZED` without a verified token, `FORBIDDEN` without the role.
    public static func require(anyOf roles: Set<Role>) throws -> CallerIdentity {
        guard let caller = current else {
            throw APIError(.unauthorized)
        }
        guard caller.holdsAny(of: roles) else {
            throw APIError(.forbidden)
        }
        return caller
    }
}
