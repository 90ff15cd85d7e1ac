import Foundation
import MongoKit
import TestSupport
import Testing

@Suite struct CollectionCRUDTests {
    @Test func everyBSONTypeRoundTripsThroughTheServer() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("everything", withType: EveryType.self)
            let value = try EveryType.sample()
            let result = try await collection.insertOne(value)
            #expect(result.insertedID == .objectID(value._id))
            let stored = try #require(try await collection.findOne(["_id": .objectID(value._id)]))
            var expected = value
            expected.createdAt = stored.createdAt
            #expect(stored == expected)
            #expect(abs(stored.createdAt.timeIntervalSince(value.createdAt)) < 0.001)
            // And the raw document keeps the native types.
            let raw = try #require(try await collection.withType(BSONDocument.self).findOne())
            #expect(raw["large"] == .int64(9_007_199_254_740_993))
            #expect(raw["small"] == .int32(-42))
            #expect(raw["price"] == .decimal128(try BSONDecimal128("12.50")))
        }
    }

    @Test func insertGeneratesAnIDWhenTheDocumentHasNone() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("plain")
            let result = try await collection.insertOne(["name": "a"])
            let id = try #require(result.insertedID.objectIDValue)
            let stored = try #require(try await collection.findOne(["_id": .objectID(id)]))
            #expect(stored["name"] == "a")
            #expect(stored.keys.first == "_id")
        }
    }

    @Test func typedInsertsKeepOrAddTheirIDWhereverItIs() async throws {
        struct Leading: Codable, Equatable { var _id: ObjectID; var name: String }
        struct Trailing: Codable, Equatable { var name: String; var _id: String }
        struct Missing: Codable, Equatable { var name: String }
        try await withTestDatabase { database in
            let leading = Leading(_id: ObjectID(), name: "first")
            let inserted = try await database.collection("leading", withType: Leading.self).insertMany([leading])
            #expect(inserted.insertedIDs == [.objectID(leading._id)])
            #expect(try await database.collection("leading", withType: Leading.self).findOne() == leading)

            let trailing = Trailing(name: "last", _id: "key-1")
            let result = try await database.collection("trailing", withType: Trailing.self).insertOne(trailing)
            #expect(result.insertedID == "key-1")
            let raw = try #require(try await database.collection("trailing").findOne())
            #expect(raw["_id"] == "key-1" && raw["name"] == "last")

            let missing = try await database.collection("missing", withType: Missing.self).insertOne(Missing(name: "m"))
            let id = try #require(missing.insertedID.objectIDValue)
            let stored = try #require(try await database.collection("missing").findOne(["_id": .objectID(id)]))
            #expect(stored.keys == ["_id", "name"])
        }
    }

    @Test func insertManyUpdateDeleteAndCount() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("items")
            let inserted = try await collection.insertMany(
                (0..<10).map { ["n": .int32(Int32($0)), "kind": $0 % 2 == 0 ? "even" : "odd"] })
            #expect(inserted.insertedIDs.count == 10)
            #expect(try await collection.countDocuments() == 10)
            #expect(try await collection.countDocuments(["kind": "even"]) == 5)

            let one = try await collection.updateOne(filter: ["n": 1], update: ["$set": ["seen": true]])
            #expect(one.matchedCount == 1 && one.modifiedCount == 1 && one.upsertedID == nil)
            let many = try await collection.updateMany(filter: ["kind": "odd"], update: ["$inc": ["n": 100]])
            #expect(many.matchedCount == 5 && many.modifiedCount == 5)
            #expect(try await collection.countDocuments(["n": ["$gte": 100]]) == 5)

            let upsert = try await collection.updateOne(
                filter: ["n": 999], update: ["$set": ["kind": "new"]], upsert: true)
            #expect(upsert.matchedCount == 0)
            #expect(upsert.upsertedID?.objectIDValue != nil)
            #expect(try await collection.countDocuments() == 11)

            #expect(try await collection.deleteOne(filter: ["kind": "even"]).deletedCount == 1)
            #expect(try await collection.deleteMany(filter: ["kind": "even"]).deletedCount == 4)
            #expect(try await collection.deleteMany(filter: ["kind": "nothing"]).deletedCount == 0)
            #expect(try await collection.countDocuments() == 6)
        }
    }

    @Test func findAppliesFilterSortProjectionSkipAndLimit() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("sorted")
            try await collection.insertMany((0..<20).map { ["n": .int32(Int32($0)), "secret": "x"] })
            let options = FindOptions(sort: ["n": -1], projection: ["n": 1, "_id": 0], limit: 3, skip: 2)
            let page = try await collection.find(["n": ["$lt": 15]], options: options).toArray()
            #expect(page == [["n": .int32(12)], ["n": .int32(11)], ["n": .int32(10)]])
            #expect(throws: MongoError.self) { try collection.find(options: FindOptions(limit: -1)) }
        }
    }

    @Test func findOneAndUpdateReturnsBeforeOrAfterAndUpserts() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("counters")
            try await collection.insertOne(["_id": "c", "value": .int64(1)])
            let before = try await collection.findOneAndUpdate(
                filter: ["_id": "c"], update: ["$inc": ["value": .int64(1)]])
            #expect(before?["value"] == .int64(1))
            let after = try await collection.findOneAndUpdate(
                filter: ["_id": "c"], update: ["$inc": ["value": .int64(1)]],
                options: FindOneAndUpdateOptions(returnDocument: .after))
            #expect(after?["value"] == .int64(3))
            let none = try await collection.findOneAndUpdate(filter: ["_id": "missing"], update: ["$set": ["v": 1]])
            #expect(none == nil)
            let upserted = try await collection.findOneAndUpdate(
                filter: ["_id": "fresh"], update: ["$setOnInsert": ["v": .int32(7)]],
                options: FindOneAndUpdateOptions(returnDocument: .after, upsert: true))
            #expect(upserted == ["_id": "fresh", "v": .int32(7)])
            let deleted = try await collection.findOneAndDelete(filter: ["_id": "fresh"])
            #expect(deleted?["v"] == .int32(7))
            #expect(try await collection.countDocuments(["_id": "fresh"]) == 0)
        }
    }

    @Test func indexesAreCreatedIdempotentlyWithTheirOptions() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("claims")
            let models = [
                IndexModel(
                    keys: ["userId": 1, "eventId": 1], name: "userId_1_eventId_1_active", unique: true,
                    partialFilterExpression: ["active": true]),
                IndexModel(keys: ["expiresAt": 1], expireAfterSeconds: 0),
            ]
            #expect(try await collection.createIndexes(models) == ["userId_1_eventId_1_active", "expiresAt_1"])
            #expect(try await collection.createIndexes(models) == ["userId_1_eventId_1_active", "expiresAt_1"])
            let listed = try await collection.listIndexes()
            let byName = Dictionary(
                uniqueKeysWithValues: listed.compactMap { spec in spec["name"]?.stringValue.map { ($0, spec) } })
            #expect(Set(byName.keys) == ["_id_", "userId_1_eventId_1_active", "expiresAt_1"])
            let unique = try #require(byName["userId_1_eventId_1_active"])
            #expect(unique["unique"] == true)
            #expect(unique["partialFilterExpression"] == ["active": true])
            #expect(byName["expiresAt_1"]?["expireAfterSeconds"]?.intValue == 0)
        }
    }

    @Test func droppingAnIndexSaysWhetherItExisted() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("ledger")
            #expect(try await collection.dropIndex(named: "code_1") == false)  // no collection yet
            try await collection.createIndexes([IndexModel(keys: ["code": 1], name: "code_1", unique: true)])
            #expect(try await collection.dropIndex(named: "code_1"))
            #expect(try await collection.dropIndex(named: "code_1") == false)
            #expect(try await collection.listIndexes().compactMap { $0["name"]?.stringValue } == ["_id_"])
        }
    }

    @Test func aDocumentThatDoesNotFitTheTypeIsADecodingErrorNamingTheField() async throws {
        try await withTestDatabase { database in
            struct Strict: Codable { var name: String; var amount: Int }
            let raw = database.collection("loose")
            try await raw.insertOne(["name": "a", "amount": "lots"])
            await #expect {
                try await database.collection("loose", withType: Strict.self).findOne()
            } throws: { error in
                guard case MongoError.decoding(let keyPath, _) = error else { return false }
                return keyPath == "amount"
            }
        }
    }

    @Test func aServerErrorIsACommandErrorWithItsCode() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("bad")
            try await collection.insertOne(["a": 1])
            await #expect {
                try await collection.updateOne(filter: [:], update: ["$bogus": ["a": 1]])
            } throws: { error in
                guard case MongoError.command(let failure) = error else { return false }
                return failure.code != 0 && !failure.message.isEmpty
            }
        }
    }

    @Test func viewsAndCollectionNamesAreListed() async throws {
        try await withTestDatabase { database in
            let collection = database.collection("source")
            try await collection.insertMany([["n": 1], ["n": 2], ["n": 3]])
            try await database.createView("big", on: "source", pipeline: [["$match": ["n": ["$gte": 2]]]])
            #expect(Set(try await database.listCollectionNames()).isSuperset(of: ["source", "big"]))
            #expect(try await database.collection("big").countDocuments() == 2)
            try await collection.drop()
            try await collection.drop()  // dropping twice is fine
            #expect(!(try await database.listCollectionNames()).contains("source"))
        }
    }
}
