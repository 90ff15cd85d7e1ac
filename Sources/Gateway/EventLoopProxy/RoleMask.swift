import PlatformCore

/// A set of roles as one bit each, for the event-loop proxy's role check (both its paths):
/// one AND instead of hashing roles into a `Set` on every request.
struct RoleMask: Equatable {
    private let bits: UInt8

    init(_ roles: Set<Role>) {
        bits = roles.reduce(0) { $0 | Self.bit(of: $1) }
    }

    /// Whether the two masks share a role (`CallerIdentity.holdsAny(of:)`).
    func overlaps(_ other: RoleMask) -> Bool {
        bits & other.bits != 0
    }

    private static func bit(of role: Role) -> UInt8 {
        switch role {
        case .user: 1 << 0
        case .operator: 1 << 1
        case .auditor: 1 << 2
        case .admin: 1 << 3
        case .service: 1 << 4
        }
    }
}
