import MongoKit

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// A machine client as stored in `serviceClients`: its public `clientId` (unique, also the
/// `sub` of its tokens), its unique `name`, and the SHA-256 of its secret — a 256-bit random
/// value, so a fast digest is enough (bcrypt is for guessable passwords).
struct ServiceClientRecord: Codable, Sendable, Equatable {
    var id: ObjectID
    var name: String
    var clientId: String
    var secretHash: String
    var createdAt: Date
    var createdBy: String

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case name, clientId, secretHash, createdAt, createdBy
    }

    /// A new client id: `svc-` and 24 hex digits. It can never equal a user id (24 hex digits
    /// alone) nor `CallerIdentity.authOutboxRelaySubject`.
    static func newClientID() -> String {
        "svc-" + String(OpaqueToken.hexIdentifier().prefix(24))
    }
}
