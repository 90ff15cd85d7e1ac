import Foundation
import MongoKit
import OpenAPIRuntime

/// Free-form JSON objects (audit `before`/`after`) to and from BSON.
enum FreeFormJSON {
    /// A stored document as a JSON object: ObjectIds as hex, dates as RFC 3339 strings.
    static func object(_ document: BSONDocument) -> OpenAPIObjectContainer? {
        var members: [String: (any Sendable)?] = [:]
        for (key, value) in document {
            members[key] = json(value)
        }
        return try? OpenAPIObjectContainer(unvalidatedValue: members)
    }

    private static func json(_ value: BSON) -> (any Sendable)? {
        switch value {
        case .document(let document):
            var members: [String: (any Sendable)?] = [:]
            for (key, member) in document { members[key] = json(member) }
            return members
        case .array(let values): return values.map(json)
        case .string(let text): return text
        case .int32(let number): return Int(number)
        case .int64(let number): return Int(number)
        case .double(let number): return number
        case .bool(let flag): return flag
        case .objectID(let id): return id.hex
        case .datetime(let date): return date.formatted(Date.ISO8601FormatStyle(includingFractionalSeconds: true))
        case .null, .minKey, .maxKey: return nil
        default: return String(describing: value)
        }
    }

    /// A JSON object from a request as a document to store.
    static func document(_ object: OpenAPIObjectContainer) -> BSONDocument {
        var document = BSONDocument()
        for key in object.value.keys.sorted() {
            document.append(key, bson(object.value[key] ?? nil))
        }
        return document
    }

    private static func bson(_ value: (any Sendable)?) -> BSON {
        switch value {
        case nil: return .null
        case let text as String: return .string(text)
        case let flag as Bool: return .bool(flag)
        case let number as Int: return .int(number)
        case let number as Double: return .double(number)
        case let members as [String: (any Sendable)?]:
            var document = BSONDocument()
            for key in members.keys.sorted() { document.append(key, bson(members[key] ?? nil)) }
            return .document(document)
        case let values as [(any Sendable)?]:
            return .array(values.map(bson))
        default:
            return .null
        }
    }
}
