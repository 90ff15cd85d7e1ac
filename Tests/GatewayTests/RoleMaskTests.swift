import PlatformCore
import Testing

@testable import Gateway

/// The byte-level path decides roles on masks (`RoleMask`): it must let in exactly whom the
/// contract's `AccessRequirement` lets in.
@Suite struct RoleMaskTests {
    /// Every subset of the roles.
    static let subsets: [Set<Role>] = (0..<(1 << Role.allCases.count)).map { bits in
        Set(Role.allCases.enumerated().filter { bits & (1 << $0.offset) != 0 }.map(\.element))
    }

    @Test func aMaskOverlapsExactlyWhenTheCallerHoldsOneOfTheRoles() {
        for callerRoles in Self.subsets {
            let caller = CallerIdentity(subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: callerRoles, tokenID: "j")
            for routeRoles in Self.subsets {
                let allowed = AccessRequirement.anyOf(routeRoles).decision(for: caller) == .allowed
                #expect(
                    RoleMask(callerRoles).overlaps(RoleMask(routeRoles)) == allowed,
                    "caller \(callerRoles.map(\.rawValue)) route \(routeRoles.map(\.rawValue))")
            }
        }
    }
}
