import Hummingbird
import MongoKit
import OpenAPIRuntime

extension APIError {
    /// The API error a thrown error is answered with. The one place that decides it.
    ///
    /// - `APIError` as is.
    /// - Hummingbird's `HTTPResponseError`s (`HTTPError` for an unknown route, a
    ///   body over the size limit, …) by status; their messages are not forwarded, since
    ///   Hummingbird's quote the input.
    /// - `DecodingError` → `VALIDATION_FAILED` with `{"field": "a.b[2]"}` when a field is known.
    /// - `MongoError`: duplicate key → `CONFLICT`; unreachable, closed or write concern
    ///   unsatisfied → `SERVICE_UNAVAILABLE`; timeout → `UPSTREAM_TIMEOUT`; anything else
    ///   (a stored document that does not decode, a refused command) → `INTERNAL`.
    /// - Anything else → `INTERNAL` with the constant message.
    ///
    /// - Parameter error: Any error a handler or middleware threw.
    /// - Returns: The error to render; its message never contains `error`'s text.
    public static func translating(_ error: any Error) -> APIError {
        switch error {
        case let error as APIError:
            return error
        case let error as DecodingError:
            return APIError(decodingError: error)
        case let error as MongoError:
            return APIError(mongoError: error)
        case let error as ServerError:
            return translating(serverError: error)
        case let error as HTTPError:
            var translated = APIError(status: error.status)
            translated.headers.append(contentsOf: error.headers)
            return translated
        case let error as any HTTPResponseError:
            return APIError(status: error.status)
        default:
            return APIError(.internal)
        }
    }

    /// A generated OpenAPI server wraps both what the handler threw and its own request
    /// decoding failures in `ServerError`: the handler's error is translated as usual; a
    /// request that did not fit the document (malformed JSON, an unknown field, a wrong type
    /// or enum value, a missing parameter) is a 400, and a body of another content type
    /// than the operation declares a 415.
    static func translating(serverError: ServerError) -> APIError {
        let underlying = serverError.underlyingError
        switch underlying {
        case is APIError, is MongoError, is ServerError:
            return translating(underlying)
        case let decoding as DecodingError:
            // Decoding the request (no operation input yet) of a `GET`: only `GET`s take query
            // parameters, and none takes a body (`RequestDecodingTests` keeps the contract so).
            if serverError.operationInput == nil, serverError.request.method == .get {
                return APIError(.validationFailed, message: decoding.parameterMessage)
            }
            return APIError(decodingError: decoding)
        default:
            // A failure while decoding the request happens before there is an operation input.
            if serverError.operationInput == nil {
                if let runtime = underlying as? any HTTPResponseConvertible,
                    runtime.httpStatus == .unsupportedMediaType
                {
                    return APIError(.unsupportedMediaType)
                }
                return APIError(.validationFailed, message: "The request does not match the API contract.")
            }
            return translating(underlying)
        }
    }

    /// A `VALIDATION_FAILED` error naming the field of a request body that did not decode.
    /// - Parameter decodingError: The decoder's error; its text is never forwarded.
    public init(decodingError: DecodingError) {
        let failure = decodingError.mostSpecific
        let field = failure.fieldPath
        self.init(
            .validationFailed,
            message: failure.clientMessage,
            details: field.isEmpty ? [:] : ["field": .string(field)]
        )
    }

    init(mongoError: MongoError) {
        switch mongoError {
        case .duplicateKey:
            self.init(.conflict, message: "The resource already exists.")
        case .serverSelection, .network, .closed, .writeConcern:
            self.init(.serviceUnavailable, message: "The database is unavailable.")
        case .timeout:
            self.init(.upstreamTimeout, message: "The database did not answer in time.")
        case .decoding, .encoding, .command, .invalidArgument:
            self.init(.internal)
        }
    }

    /// Maps a status Hummingbird chose to our code for it.
    init(status: HTTPResponse.Status) {
        switch status.code {
        case 400: self.init(.validationFailed)
        case 401: self.init(.unauthorized)
        case 403: self.init(.forbidden)
        case 404: self.init(.notFound)
        case 405: self.init(.methodNotAllowed)
        case 409: self.init(.conflict)
        case 413: self.init(.payloadTooLarge)
        case 415: self.init(.unsupportedMediaType)
        case 422: self.init(.businessRule)
        case 429: self.init(.rateLimited)
        case 502: self.init(.upstreamUnavailable)
        case 503: self.init(.serviceUnavailable)
        case 504: self.init(.upstreamTimeout)
        // A status we have no code for: keep the class of the failure, not the number.
        case 400..<500: self.init(.validationFailed)
        default: self.init(.internal)
        }
    }
}
