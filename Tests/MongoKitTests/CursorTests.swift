import MongoKit
import TestSupport
import Testing

@Suite struct CursorTests {
    @Test func aThousandDocumentsArriveInOrderAcrossGetMores() async throws {
        let pool = try await makeTestPool()
        let database = pool.database(uniqueDatabaseName())
        let collection = database.collection("many")
        try await collection.insertMany((0..<1_000).map { ["n": .int32(Int32($0))] })

        var seen: [Int] = []
        for try await document in try collection.find([:], options: FindOptions(sort: ["n": 1], batchSize: 100)) {
            seen.append(document["n"]?.intValue ?? -1)
        }
        #expect(seen == Array(0..<1_000))
        if MongoTestEndpoint.usesDouble {
            let log = try await doubleCommandLog(pool: pool, database: database.name)
            #expect(log.filter { $0 == "find" }.count == 1)
            #expect(log.filter { $0 == "getMore" }.count >= 9)
        }
        try await database.drop()
        await pool.close()
    }

    @Test func abandonedCursorsGiveTheirConnectionBack() async throws {
        // A pool of two: if dropped cursors kept their clients, the later operations would wait forever.
        try await withTestDatabase(maxPoolSize: 2) { database in
            let collection = database.collection("abandon")
            try await collection.insertMany((0..<50).map { ["n": .int32(Int32($0))] })
            for _ in 0..<6 {
                for try await _ in try collection.find(options: FindOptions(batchSize: 5)) {
                    break
                }
            }
            let cursor = try collection.find(options: FindOptions(batchSize: 5))
            let iterator = cursor.makeAsyncIterator()
            _ = try await iterator.next()
            await cursor.close()
            #expect(try await collection.countDocuments() == 50)
            let all = try await collection.find().toArray()
            #expect(all.count == 50)
        }
    }

    @Test func anEmptyResultIsAnEmptySequence() async throws {
        try await withTestDatabase { database in
            let found = try await database.collection("none").find(["x": 1]).toArray()
            #expect(found.isEmpty)
        }
    }

    @Test func aCursorDecodesIntoTheCollectionType() async throws {
        struct Item: Codable, Equatable { var name: String }
        try await withTestDatabase { database in
            let collection = database.collection("typed", withType: Item.self)
            try await collection.insertMany([Item(name: "a"), Item(name: "b")])
            let items = try await collection.find(options: FindOptions(sort: ["name": 1])).toArray()
            #expect(items == [Item(name: "a"), Item(name: "b")])
        }
    }
}
