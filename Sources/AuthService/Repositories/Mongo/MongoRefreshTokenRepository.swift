import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `RefreshTokenRepository` over the `refreshTokens` collection.
struct MongoRefreshTokenRepository: RefreshTokenRepository {
    let collection: MongoCollection<RefreshTokenRecord>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.refreshTokens, withType: RefreshTokenRecord.self)
    }

    func insert(_ token: RefreshTokenRecord) async throws {
        try await collection.insertOne(token)
    }

    func rotate(tokenHash: String, now: Date) async throws -> RefreshTokenRecord? {
        try await collection.findOneAndUpdate(
            filter: [
                "tokenHash": .string(tokenHash),
                "status": .string(RefreshTokenStatus.active.rawValue),
                "expiresAt": ["$gt": .datetime(now)],
            ],
            update: ["$set": ["status": .string(RefreshTokenStatus.rotated.rawValue), "rotatedAt": .datetime(now)]],
            options: FindOneAndUpdateOptions(returnDocument: .before)
        )
    }

    func find(tokenHash: String) async throws -> RefreshTokenRecord? {
        try await collection.findOne(["tokenHash": .string(tokenHash)])
    }

    func revokeFamily(_ familyId: ObjectID, now: Date, keepUntil: Date) async throws {
        try await collection.updateMany(
            filter: ["familyId": .objectID(familyId)],
            update: [
                "$set": ["status": .string(RefreshTokenStatus.revoked.rawValue), "revokedAt": .datetime(now)],
                "$max": ["expiresAt": .datetime(keepUntil)],
            ]
        )
    }

    func isFamilyRevoked(_ familyId: ObjectID) async throws -> Bool {
        try await collection.findOne(
            ["familyId": .objectID(familyId), "status": .string(RefreshTokenStatus.revoked.rawValue)]) != nil
    }
}
