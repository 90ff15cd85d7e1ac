import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// `UserRepository` over the `users` collection.
struct MongoUserRepository: UserRepository {
    let collection: MongoCollection<UserRecord>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.users, withType: UserRecord.self)
    }

    func insert(_ user: UserRecord) async throws {
        try await collection.insertOne(user)
    }

    func find(id: ObjectID) async throws -> UserRecord? {
        try await collection.findOne(["_id": .objectID(id)])
    }

    func find(email: String) async throws -> UserRecord? {
        try await collection.findOne(["email": .string(email)])
    }

    func list(role: Role?, email: String?, before: ObjectID?, limit: Int) async throws -> [UserRecord] {
        var filter = BSONDocument()
        if let role { filter.append("roles", .string(role.rawValue)) }
        if let email { filter.append("email", .string(email)) }
        if let before { filter.append("_id", ["$lt": .objectID(before)]) }
        return try await collection.find(filter, options: FindOptions(sort: ["_id": -1], limit: limit)).toArray()
    }

    func replaceRoles(id: ObjectID, with roles: [Role], unlessAdmin: Bool, now: Date) async throws -> UserRecord? {
        var filter: BSONDocument = ["_id": .objectID(id)]
        if unlessAdmin { filter.append("roles", ["$ne": .string(Role.admin.rawValue)]) }
        return try await collection.findOneAndUpdate(
            filter: filter,
            update: ["$set": ["roles": .array(roles.map { .string($0.rawValue) }), "updatedAt": .datetime(now)]],
            options: FindOneAndUpdateOptions(returnDocument: .before)
        )
    }

    func countAdmins(excluding excluded: ObjectID?) async throws -> Int {
        var filter: BSONDocument = ["roles": .string(Role.admin.rawValue)]
        if let excluded { filter.append("_id", ["$ne": .objectID(excluded)]) }
        return try await collection.countDocuments(filter)
    }

    func insertUnlessEmailExists(_ user: UserRecord) async throws -> Bool {
        let document = try BSONEncoder().encode(user)
        let result = try await collection.updateOne(
            filter: ["email": .string(user.email)],
            update: ["$setOnInsert": .document(document)],
            upsert: true
        )
        return result.upsertedID != nil
    }
}
