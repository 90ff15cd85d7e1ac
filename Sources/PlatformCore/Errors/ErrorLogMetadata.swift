import Logging
import MongoKit
import OpenAPIRuntime

/// What the logs may say about a failed request's error, without quoting the request.
///
/// A generated server's `ServerError` describes the whole decoded request — passwords,
/// refresh tokens, client secrets — so it is never described: its operation, its cause (only
/// once the request was decoded) and (recursively) its underlying error are logged
/// instead. A `DecodingError` is logged by field path, cut like `details.field` (its
/// description may quote the input). Other errors keep their description, which is our own
/// code's text.
enum ErrorLogMetadata {
    static func describe(_ error: any Error) -> Logger.Metadata {
        switch error {
        case let error as ServerError:
            var metadata = describe(error.underlyingError, nestedInRequest: true)
            metadata["error.operation"] = .string(error.operationID)
            // Before the handler ran (no operation input), the cause describes a request that
            // did not parse, quoting what the client sent (a rejected value, an unknown key of
            // any length, a Content-Type or Accept header); a handler's failure has a fixed one.
            if error.operationInput != nil {
                metadata["error.cause"] = .string(error.causeDescription)
            }
            return metadata
        default:
            return describe(error, nestedInRequest: false)
        }
    }

    private static func describe(_ error: any Error, nestedInRequest: Bool) -> Logger.Metadata {
        switch error {
        case let error as DecodingError:
            return ["error.type": "DecodingError", "error.field": .string(error.mostSpecific.fieldPath)]
        case let error as MongoError:
            return ["error.type": "MongoError", "error.description": .string(String(error.description.prefix(300)))]
        case let error as ServerError:
            return describe(error)
        default:
            var metadata: Logger.Metadata = ["error.type": .string(String(reflecting: type(of: error)))]
            // An error from inside a generated handler may carry request values; only our own
            // directly thrown errors are described.
            if !nestedInRequest {
                metadata["error.description"] = .string(String(describing: error))
            }
            return metadata
        }
    }
}
