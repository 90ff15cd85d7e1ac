/// A role a token can carry (DESIGN §3). Users hold any of the first four; machines hold
/// `service`, which may only record activities.
public enum Role: String, Codable, Sendable, CaseIterable, Hashable {
    case user = "USER"
    case `operator` = "OPERATOR"
    case auditor = "AUDITOR"
    case admin = "ADMIN"
    case service = "SERVICE"

    /// The roles that may be assigned to a user account.
    public static let userAssignable: Set<Role> = [.user, .operator, .auditor, .admin]

    /// Staff roles: those that see every user's data in some way.
    public static let staff: Set<Role> = [.operator, .auditor, .admin]
}
