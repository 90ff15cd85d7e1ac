import Foundation
import MongoKit

/// A user activity in `activities`, what conditions are evaluated over.
struct ActivityDocument: Codable, Sendable {
    /// Who recorded an activity: the token's subject and acting role.
    struct Recorder: Codable, Sendable, Hashable {
        var subject: String
        var role: String
    }

    var id: ObjectID
    var userId: ObjectID
    var type: String
    var occurredAt: Date
    /// Flat scalars only.
    var attributes: BSONDocument
    /// The producer's idempotency key, unique per `{userId, recordedBy.subject}`.
    var sourceId: String?
    var recordedBy: Recorder
    var recordedAt: Date

    enum CodingKeys: String, CodingKey {
        case id = "_id"
        case userId, type, occurredAt, attributes, sourceId, recordedBy, recordedAt
    }
}
