import MongoKit

/// The audit log.
protocol AuditRepository: Sendable {
    /// Stores one entry.
    func insert(_ entry: AuditLogDocument) async throws
    /// Stores entries delivered by auth, once per `sourceId`.
    /// - Returns: Per input entry, the stored id and whether it had been stored before.
    func ingest(_ entries: [AuditLogDocument]) async throws -> [(id: ObjectID, duplicate: Bool)]
    /// A page of entries matching `filter`, newest first.
    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [AuditLogDocument]
}

/// `AuditRepository` on the `auditLogs` collection.
struct MongoAuditRepository: AuditRepository {
    let collection: MongoCollection<AuditLogDocument>

    init(database: MongoDatabase) {
        collection = database.collection(EventIndexes.Collection.auditLogs, withType: AuditLogDocument.self)
    }

    func insert(_ entry: AuditLogDocument) async throws {
        try await collection.insertOne(entry)
    }

    func ingest(_ entries: [AuditLogDocument]) async throws -> [(id: ObjectID, duplicate: Bool)] {
        let sourceIDs = entries.compactMap(\.sourceId)
        let stored = try await storedIDs(source: .auth, sourceIDs: sourceIDs)
        var seen: [String: ObjectID] = stored
        var fresh: [AuditLogDocument] = []
        var outcome: [(id: ObjectID, duplicate: Bool)] = []
        for entry in entries {
            if let sourceID = entry.sourceId, let id = seen[sourceID] {
                outcome.append((id, true))
                continue
            }
            if let sourceID = entry.sourceId { seen[sourceID] = entry.id }
            fresh.append(entry)
            outcome.append((entry.id, false))
        }
        guard !fresh.isEmpty else { return outcome }
        do {
            try await collection.insertMany(fresh, ordered: false)
        } catch MongoError.duplicateKey {
            // A concurrent delivery stored some first: report what is stored now.
            let now = try await storedIDs(source: .auth, sourceIDs: sourceIDs)
            return zip(entries, outcome).map { entry, result in
                guard let sourceID = entry.sourceId, let id = now[sourceID] else { return result }
                return (id, result.duplicate || id != result.id)
            }
        }
        return outcome
    }

    private func storedIDs(source: AuditLogDocument.Source, sourceIDs: [String]) async throws -> [String: ObjectID] {
        guard !sourceIDs.isEmpty else { return [:] }
        let found = try await collection.withType(BSONDocument.self).find(
            ["source": .string(source.rawValue), "sourceId": ["$in": .array(sourceIDs.map(BSON.string))]],
            options: FindOptions(projection: ["sourceId": 1])
        ).toArray()
        var result: [String: ObjectID] = [:]
        for document in found {
            if let id = document["_id"]?.objectIDValue, let sourceID = document["sourceId"]?.stringValue {
                result[sourceID] = id
            }
        }
        return result
    }

    func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [AuditLogDocument] {
        try await collection.find(
            Paging.filter(filter, after: after), options: FindOptions(sort: ["_id": -1], limit: limit)
        ).toArray()
    }
}
