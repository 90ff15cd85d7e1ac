/// A role a token can carry (DESIGN §3). Users hold any of the first four; machines hold
/// `service`, which may only record activities.
public enum Role: String, Codable, Sendable, CaseIterable, Hashable {
    case user = "USER"
    case `operator` = "OPERATOR"
    case auditor = "AUDITOR"
    case admin = "ADMIN"
    case service = "SERVICE"

    /// Staff roles: those that see every user's data in some way.
    public static let staff: Set<Role> = [.operator, .auditor, .admin]
}
