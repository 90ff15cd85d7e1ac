/// Where service clients live.
protocol ServiceClientRepository: Sendable {
    /// Stores a new client.
    /// - Throws: `MongoError.duplicateKey` when the name (or, improbably, the id) is taken.
    func insert(_ client: ServiceClientRecord) async throws

    /// The client with `clientId`, if any.
    func find(clientId: String) async throws -> ServiceClientRecord?
}
