import Hummingbird
import Logging
import MongoKit
import OpenAPIRuntime
import PlatformCore

/// Turns every error into an `APIError` before the platform's envelope middleware sees it,
/// logging what went wrong without the request.
///
/// The generated server wraps failures in `ServerError`, whose description includes the
/// decoded request — passwords, refresh tokens and client secrets in auth. The envelope
/// middleware logs the description of any error that is not an `APIError`; this one logs
/// only the operation, the cause and the underlying error's type (and the description of
/// errors known to hold no request data), then throws the translated `APIError`.
struct ErrorRedactionMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        do {
            return try await next(request, context)
        } catch let error as APIError {
            throw error
        } catch {
            let apiError = APIError.translating(error)
            var metadata: Logger.Metadata = ["error.code": .string(apiError.code.rawValue)]
            metadata.merge(Self.describe(error)) { _, new in new }
            if apiError.status.code >= 500 {
                context.logger.error("request failed", metadata: metadata)
            } else {
                context.logger.debug("request rejected", metadata: metadata)
            }
            throw apiError
        }
    }

    /// What can be said about `error` without quoting the request.
    static func describe(_ error: any Error) -> Logger.Metadata {
        switch error {
        case let error as ServerError:
            var metadata = describe(error.underlyingError)
            metadata["error.operation"] = .string(error.operationID)
            metadata["error.cause"] = .string(error.causeDescription)
            return metadata
        case let error as MongoError:
            return [
                "error.type": "MongoError",
                "error.description": .string(String(describing: error).prefix(300).description),
            ]
        case let error as DecodingError:
            return ["error.type": "DecodingError", "error.field": .string(DecodingErrorPath.of(error))]
        default:
            return ["error.type": .string(String(reflecting: type(of: error)))]
        }
    }
}

/// The coding path of a decoding error as `a.b[2]` (never the value).
enum DecodingErrorPath {
    static func of(_ error: DecodingError) -> String {
        let path: [any CodingKey]
        switch error {
        case .keyNotFound(let key, let context): path = context.codingPath + [key]
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            path = context.codingPath
        @unknown default: path = []
        }
        return path.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
    }
}
