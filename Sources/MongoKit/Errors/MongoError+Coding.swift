/// Maps Swift coding errors to `MongoError`, rendering the key path as `a.b[2].c`.
extension MongoError {
    static func from(decodingError error: any Error) -> MongoError {
        switch error {
        case let mongo as MongoError:
            return mongo
        case let bson as BSONError:
            return .decoding(keyPath: "", message: bson.description)
        case DecodingError.keyNotFound(let key, let context):
            return .decoding(keyPath: render(context.codingPath + [key]), message: "missing field")
        case DecodingError.valueNotFound(_, let context):
            return .decoding(keyPath: render(context.codingPath), message: "null where a value is required")
        case DecodingError.typeMismatch(let type, let context):
            return .decoding(
                keyPath: render(context.codingPath), message: "expected \(type), \(context.debugDescription)")
        case DecodingError.dataCorrupted(let context):
            return .decoding(keyPath: render(context.codingPath), message: context.debugDescription)
        default:
            return .decoding(keyPath: "", message: "undecodable value")
        }
    }

    static func from(encodingError error: any Error) -> MongoError {
        switch error {
        case let mongo as MongoError:
            return mongo
        case let bson as BSONError:
            return .encoding(keyPath: "", message: bson.description)
        case EncodingError.invalidValue(_, let context):
            return .encoding(keyPath: render(context.codingPath), message: context.debugDescription)
        default:
            return .encoding(keyPath: "", message: "unencodable value")
        }
    }

    /// `items[3].name` style paths.
    static func render(_ path: [any CodingKey]) -> String {
        var rendered = ""
        for key in path {
            if let index = key.intValue {
                rendered += "[\(index)]"
            } else {
                rendered += rendered.isEmpty ? key.stringValue : "." + key.stringValue
            }
        }
        return rendered
    }
}
