import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Where refresh tokens live, by the SHA-256 of the token.
protocol RefreshTokenRepository: Sendable {
    /// Stores a new token.
    func insert(_ token: RefreshTokenRecord) async throws

    /// Atomically spends the ACTIVE, unexpired token with `tokenHash` (→ ROTATED) and
    /// returns it as it was; `nil` when there is none. Of concurrent callers with one token,
    /// exactly one gets it.
    func rotate(tokenHash: String, now: Date) async throws -> RefreshTokenRecord?

    /// The token with `tokenHash`, in whatever state.
    func find(tokenHash: String) async throws -> RefreshTokenRecord?

    /// Revokes every member of `familyId`, and keeps the revoked members at least until
    /// `keepUntil`, so a member issued concurrently is still recognised as revoked.
    func revokeFamily(_ familyId: ObjectID, now: Date, keepUntil: Date) async throws

    /// Whether any member of `familyId` is revoked (the family is dead).
    func isFamilyRevoked(_ familyId: ObjectID) async throws -> Bool
}
