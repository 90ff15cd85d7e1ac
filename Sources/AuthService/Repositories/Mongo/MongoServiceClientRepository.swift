import MongoKit

/// `ServiceClientRepository` over the `serviceClients` collection.
struct MongoServiceClientRepository: ServiceClientRepository {
    let collection: MongoCollection<ServiceClientRecord>

    init(database: MongoDatabase) {
        collection = database.collection(AuthIndexes.Collection.serviceClients, withType: ServiceClientRecord.self)
    }

    func insert(_ client: ServiceClientRecord) async throws {
        try await collection.insertOne(client)
    }

    func find(clientId: String) async throws -> ServiceClientRecord? {
        try await collection.findOne(["clientId": .string(clientId)])
    }
}
