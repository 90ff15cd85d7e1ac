import Foundation
import MongoKit
import OpenAPIRuntime
import PlatformCore

/// The rules of a recorded activity (the generated decoder checks only types):
/// `userId` an ObjectId, `type` `[A-Z_]{1,32}`, `occurredAt` at most 5 minutes ahead,
/// `attributes` at most 32 flat scalars (names `[A-Za-z0-9_]{1,64}`, strings ≤ 256
/// characters, finite numbers) taking at most 4 KiB as BSON, `sourceId` 1–128 characters.
enum ActivityValidation {
    static let maximumBatch = 1000
    static let maximumFutureSkew: TimeInterval = 5 * 60
    static let maximumAttributesBytes = 4096

    /// A validated activity, ready to store.
    struct Valid: Sendable {
        var userID: ObjectID
        var type: String
        var occurredAt: Date
        var attributes: BSONDocument
        var sourceID: String?
    }

    /// Validates `input`; `field` prefixes the names in errors (`activities[3].`).
    static func validate(_ input: Components.Schemas.ActivityInput, field: String, now: Date) throws -> Valid {
        let userID = try ObjectID(contractHex: input.userId, field: field + "userId")
        try RequestValidation.activityType(input._type, field: field + "type")
        guard input.occurredAt.timeIntervalSince(now) <= maximumFutureSkew else {
            throw RequestValidation.invalid(field + "occurredAt", "occurredAt is too far in the future.")
        }
        if let sourceID = input.sourceId {
            try RequestValidation.string(sourceID, field: field + "sourceId", length: 1...128)
        }
        let attributes = try self.attributes(input.attributes, field: field + "attributes")
        return Valid(
            userID: userID, type: input._type, occurredAt: input.occurredAt, attributes: attributes,
            sourceID: input.sourceId)
    }

    static func attributes(_ attributes: Components.Schemas.ActivityAttributes?, field: String) throws -> BSONDocument {
        guard let members = attributes?.additionalProperties else { return BSONDocument() }
        guard members.count <= 32 else {
            throw RequestValidation.invalid(field, "attributes has more than 32 keys.")
        }
        var document = BSONDocument()
        for name in members.keys.sorted() {
            try RequestValidation.pattern(
                name, field: field + "." + String(name.prefix(64)), length: 1...64,
                allowed: RequestValidation.isAttributeNameCharacter)
            document.append(name, try scalar(members[name]!, field: field + "." + name))
        }
        guard let bytes = try? document.bytes(), bytes.count <= maximumAttributesBytes else {
            throw RequestValidation.invalid(field, "attributes exceed 4 KiB.")
        }
        return document
    }

    /// A scalar attribute value; objects and arrays are refused.
    private static func scalar(_ value: Components.Schemas.ActivityAttributeValue, field: String) throws -> BSON {
        switch value {
        case .case1(let text):
            try RequestValidation.string(text, field: field, length: 0...256)
            return .string(text)
        case .case2(let number):
            guard number.isFinite else { throw RequestValidation.invalid(field) }
            // Whole numbers are stored as integers, as a person reading mongosh expects.
            if number == number.rounded(), abs(number) < 9_007_199_254_740_992 {
                return .int(Int(number))
            }
            return .double(number)
        case .case3(let flag):
            return .bool(flag)
        case .case4(let container):
            guard container.value == nil else {
                throw RequestValidation.invalid(field, "An attribute must be a string, number, boolean or null.")
            }
            return .null
        }
    }
}
