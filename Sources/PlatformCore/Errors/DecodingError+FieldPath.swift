extension DecodingError {
    /// The failing field as a path such as `a.b[2]`; empty when the failure is at the root
    /// (e.g. the body is not JSON at all).
    var fieldPath: String {
        switch self {
        case .keyNotFound(let key, let context):
            Self.path(context.codingPath + [key])
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            Self.path(context.codingPath)
        @unknown default:
            ""
        }
    }

    /// A client-facing sentence for the failure; never the decoder's own description, which
    /// may quote the input.
    var clientMessage: String {
        switch self {
        case .keyNotFound: "A required field is missing."
        case .valueNotFound: "A required field is null."
        case .typeMismatch: "A field has the wrong type."
        case .dataCorrupted(let context) where context.codingPath.isEmpty: "The request body is not valid JSON."
        case .dataCorrupted: "A field has an invalid value."
        @unknown default: "The request body is invalid."
        }
    }

    /// Joins coding keys as `name.name[index]`; a key with an integer value is an array index.
    static func path(_ codingPath: [any CodingKey]) -> String {
        var path = ""
        for key in codingPath {
            if let index = key.intValue {
                path += "[\(index)]"
            } else {
                if !path.isEmpty { path += "." }
                path += key.stringValue
            }
        }
        return path
    }
}
