import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One refresh token as stored in `refreshTokens`: only its SHA-256 (`tokenHash`), the
/// family it belongs to (every rotation of one login shares `familyId`), and its state.
/// A TTL index removes it after `expiresAt`.
struct RefreshTokenRecord: Codable, Sendable, Equatable {
    var id: ObjectID
    var tokenHash: String
    var familyId: ObjectID
    var userId: ObjectID
    var status: RefreshTokenStatus
    var createdAt: Date
    var expiresAt: Date
    var rotatedAt: Date?
    var revokedAt: Date?

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case tokenHash, familyId, userId, status, createdAt, expiresAt, rotatedAt, revokedAt
    }
}
