#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The life of one refresh token: `ACTIVE` until it is used once (`ROTATED`, replaced by
/// its successor in the same family) or its family is revoked (`REVOKED`: logout, or reuse
/// of a rotated member). Stored as the string.
enum RefreshTokenStatus: String, Codable, Sendable, CaseIterable {
    case active = "ACTIVE"
    case rotated = "ROTATED"
    case revoked = "REVOKED"

    /// Whether a token may move from `self` to `next`. Nothing ever returns to ACTIVE, and
    /// REVOKED is final.
    func canMove(to next: RefreshTokenStatus) -> Bool {
        switch (self, next) {
        case (.active, .rotated), (.active, .revoked), (.rotated, .revoked): true
        case (.active, .active), (.rotated, .active), (.rotated, .rotated), (.revoked, _): false
        }
    }
}

/// What presenting a refresh token that could *not* be rotated means, from what is stored
/// for it. (An ACTIVE, unexpired token is rotated atomically before this is asked.)
enum RefreshTokenRefusal: Equatable, Sendable {
    /// Unknown, expired or already revoked: 401, nothing else changes.
    case reject
    /// A rotated token presented again — a copy is in someone else's hands: revoke the
    /// whole family, then 401.
    case revokeFamily

    /// The refusal for a token stored with `status` (or not stored at all).
    static func of(status: RefreshTokenStatus?) -> RefreshTokenRefusal {
        switch status {
        case .rotated: .revokeFamily
        case .active, .revoked, nil: .reject
        }
    }
}
