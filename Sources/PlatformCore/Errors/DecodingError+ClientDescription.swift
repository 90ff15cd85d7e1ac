extension DecodingError {
    /// The failure worth reporting. A generated `oneOf` or `anyOf` that matched none of its
    /// shapes fails as a whole at its own position; this digs out the failure of the shape
    /// that got deepest into the input (the first one declared on a tie), so that the client
    /// learns which field of the shape they meant was wrong. Any other error is itself.
    var mostSpecific: DecodingError {
        guard case .valueNotFound(_, let context) = self, let underlying = context.underlyingError else {
            return self
        }
        var best: DecodingError?
        for failure in Self.shapeFailures(in: underlying).map(\.mostSpecific) {
            if let chosen = best, failure.depth <= chosen.depth { continue }
            best = failure
        }
        return best ?? self
    }

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

    /// A client-facing sentence for the failure of a request body; never the decoder's own
    /// description, which may quote the input.
    var clientMessage: String {
        switch self {
        case .keyNotFound(_, let context) where context.debugDescription.hasPrefix(Self.unknownDiscriminator):
            "A field has a value that is not allowed."
        case .keyNotFound: "A required field is missing."
        case .valueNotFound: "A required field is null."
        case .typeMismatch(_, let context) where context.codingPath.isEmpty: "The request body has the wrong JSON type."
        case .typeMismatch: "A field has the wrong type."
        case .dataCorrupted(let context) where context.underlyingError is RFC3339DateTranscoder.NotADateTime:
            Self.notADateTime
        case .dataCorrupted(let context) where context.codingPath.isEmpty:
            // Foundation's JSONDecoder reports a number that does not fit its field (`1.5` or
            // `1e400` for an integer) like a syntax error, at the root and with nothing to
            // tell them apart.
            "The request body is not valid JSON, or a number in it is out of range or not a whole number."
        case .dataCorrupted(let context) where context.debugDescription.hasPrefix(Self.additionalProperty):
            "A field is not part of the API."
        case .dataCorrupted: "A field has an invalid value."
        @unknown default: "The request body is invalid."
        }
    }

    /// A client-facing sentence for the failure of a query parameter. OpenAPIRuntime's URI
    /// decoder does not say which parameter failed.
    var parameterMessage: String {
        switch self {
        case .dataCorrupted(let context) where context.underlyingError is RFC3339DateTranscoder.NotADateTime:
            Self.notADateTime
        case .typeMismatch: "A query parameter has the wrong type."
        default: "A query parameter has an invalid value."
        }
    }

    /// Joins coding keys as `name.name[index]`; a key with an integer value is an array index.
    /// An unknown field's name is the client's, of any length: the path is cut after
    /// `maximumPathLength` Unicode scalars (not characters, of which one may hold any number
    /// of combining marks).
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
        let scalars = path.unicodeScalars
        guard scalars.count > maximumPathLength else { return path }
        return String(String.UnicodeScalarView(scalars.prefix(maximumPathLength))) + "…"
    }

    static let maximumPathLength = 200

    private static let notADateTime = "A date-time is not in RFC 3339 form, such as 2026-01-31T09:00:00Z."

    /// How OpenAPIRuntime's generated decoders begin the description of a `oneOf`
    /// discriminator value no shape is mapped to (thrown as `keyNotFound` of the
    /// discriminator) and of a field a schema with `additionalProperties: false` does not
    /// declare. Should the wording change, the messages fall back to the generic ones.
    private static let unknownDiscriminator = "The oneOf structure does not contain the provided discriminator value"
    private static let additionalProperty = "Additional properties are disabled"

    /// How far into the input decoding got before it failed.
    private var depth: Int {
        switch self {
        case .dataCorrupted(let context) where context.underlyingError is RFC3339DateTranscoder.NotADateTime:
            // A date-time is always a field of an object, though the transcoder cannot say which.
            max(1, context.codingPath.count)
        case .keyNotFound(_, let context), .typeMismatch(_, let context), .valueNotFound(_, let context),
            .dataCorrupted(let context):
            context.codingPath.count
        @unknown default:
            0
        }
    }

    /// The failures of each shape a generated `oneOf`/`anyOf` tried. OpenAPIRuntime keeps
    /// them in the `errors` property of an error type it does not export.
    private static func shapeFailures(in error: any Error) -> [DecodingError] {
        let errors = Mirror(reflecting: error).children.first { $0.label == "errors" }?.value as? [any Error]
        return errors?.compactMap { $0 as? DecodingError } ?? []
    }
}
