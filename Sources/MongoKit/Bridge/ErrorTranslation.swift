internal import CMongoC
import Foundation

/// The one place libmongoc errors become `MongoError`s (error API version 2).
enum ErrorTranslation {
    /// Translates a failed call's `bson_error_t`, using the server reply (when there is one)
    /// for write errors, duplicate-key details and code names.
    static func translate(_ error: BSONErrorBuffer, reply: BSONDocument? = nil) -> MongoError {
        let domain = error.domain
        let code = Int(error.code)
        let message = error.message

        if let reply, let duplicate = duplicateKey(in: reply) {
            return duplicate
        }
        switch domain {
        case MONGOC_ERROR_SERVER_SELECTION.rawValue:
            return .serverSelection(message: message)
        case MONGOC_ERROR_STREAM.rawValue:
            if message.contains("timeout") || message.contains("timed out") {
                return .timeout(message: message)
            }
            return .network(message: message)
        case MONGOC_ERROR_WRITE_CONCERN.rawValue:
            return .writeConcern(failure(code: code, message: message, reply: reply, field: "writeConcernError"))
        case MONGOC_ERROR_SERVER.rawValue, MONGOC_ERROR_QUERY.rawValue:
            if code == 11000 || code == 11001 {
                return .duplicateKey(index: indexName(in: message), key: nil, message: message)
            }
            if code == 50 {
                return .timeout(message: message)
            }
            return .command(failure(code: code, message: message, reply: reply, field: nil))
        case MONGOC_ERROR_COMMAND.rawValue where code == Int(MONGOC_ERROR_COMMAND_INVALID_ARG.rawValue),
            MONGOC_ERROR_BSON.rawValue, MONGOC_ERROR_NAMESPACE.rawValue:
            return .invalidArgument(message: message)
        case MONGOC_ERROR_CLIENT.rawValue where code == Int(MONGOC_ERROR_CLIENT_NOT_READY.rawValue):
            return .serverSelection(message: message)
        default:
            return .command(MongoError.CommandFailure(code: code, codeName: nil, message: message))
        }
    }

    /// A reply that reports a duplicate key in `writeErrors` (insert/update replies carry
    /// it there even when the C error says only "write failed").
    static func duplicateKey(in reply: BSONDocument) -> MongoError? {
        guard let writeErrors = reply["writeErrors"]?.arrayValue else { return nil }
        for case .document(let writeError) in writeErrors {
            guard let code = writeError["code"]?.intValue, code == 11000 || code == 11001 else { continue }
            let message = writeError["errmsg"]?.stringValue ?? "duplicate key"
            return .duplicateKey(
                index: indexName(in: message), key: writeError["keyValue"]?.documentValue, message: message)
        }
        return nil
    }

    /// `E11000 duplicate key error collection: db.c index: NAME dup key: { … }` → `NAME`.
    static func indexName(in message: String) -> String? {
        guard let range = message.range(of: " index: ") else { return nil }
        let rest = message[range.upperBound...]
        let name = rest.prefix { $0 != " " }
        return name.isEmpty ? nil : String(name)
    }

    private static func failure(
        code: Int, message: String, reply: BSONDocument?, field: String?
    )
        -> MongoError.CommandFailure
    {
        var source = reply
        if let field, let nested = reply?[field]?.documentValue {
            source = nested
        }
        return MongoError.CommandFailure(
            code: source?["code"]?.intValue ?? code,
            codeName: source?["codeName"]?.stringValue,
            message: source?["errmsg"]?.stringValue ?? message)
    }
}
