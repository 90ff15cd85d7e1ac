import Logging
import MongoKit
import PlatformCore

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

extension AuthAPI {
    /// `POST /service-clients` (ADMIN): a machine client; its secret is in this response only
    /// and stored as a digest. Audited.
    func createServiceClient(
        _ input: Operations.createServiceClient.Input
    ) async throws
        -> Operations.createServiceClient.Output
    {
        let caller = try CallerIdentity.require(anyOf: [.admin])
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        try InputValidation.displayText(body.name, field: "name", length: 1...64)

        let secret = OpaqueToken.generate()
        let client = ServiceClientRecord(
            id: ObjectID(),
            name: body.name,
            clientId: ServiceClientRecord.newClientID(),
            secretHash: OpaqueToken.digest(secret),
            createdAt: Date(),
            createdBy: caller.subject
        )
        do {
            try await core.serviceClients.insert(client)
        } catch MongoError.duplicateKey {
            throw APIError(.conflict, message: "A service client with this name already exists.")
        }
        let logger = requestLogger
        await audit.record(
            AuditEntry(
                by: caller, action: "serviceClient.create", target: .init(type: "serviceClient", id: client.clientId),
                before: nil,
                after: [
                    "id": .string(client.id.hex), "name": .string(client.name), "clientId": .string(client.clientId),
                ],
                at: client.createdAt),
            logger: logger)
        logger.notice("service client created", metadata: ["client.id": .string(client.clientId)])
        return .created(
            .init(
                headers: .init(Cache_hyphen_Control: "no-store"),
                body: .json(
                    .init(
                        id: client.id.hex, name: client.name, clientId: client.clientId, clientSecret: secret,
                        createdAt: client.createdAt))))
    }
}
