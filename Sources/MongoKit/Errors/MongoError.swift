/// Everything that can go wrong talking to MongoDB, as cases a caller can switch on.
/// Messages are bounded and never contain credentials or whole documents.
public enum MongoError: Error, Sendable, CustomStringConvertible {
    /// A unique index refused a write (server code 11000). `index` is the index name when
    /// the server reported it; `key` the offending key values.
    case duplicateKey(index: String?, key: BSONDocument?, message: String)
    /// No usable server was found within the server-selection timeout.
    case serverSelection(message: String)
    /// The connection failed or was closed.
    case network(message: String)
    /// The server did not answer within the socket timeout (or `maxTimeMS` expired), or no
    /// connection of the pool came free within `waitQueueTimeout`.
    case timeout(message: String)
    /// The server rejected the command.
    case command(CommandFailure)
    /// The write happened but could not be confirmed at the requested write concern.
    case writeConcern(CommandFailure)
    /// A stored document does not decode into the requested type; `keyPath` names the field.
    case decoding(keyPath: String, message: String)
    /// A value could not be encoded to BSON; `keyPath` names the field.
    case encoding(keyPath: String, message: String)
    /// The connection string or an option is invalid.
    case invalidArgument(message: String)
    /// The client pool was closed.
    case closed

    /// A server's refusal: its numeric code, code name and message.
    public struct CommandFailure: Sendable, Equatable {
        public var code: Int
        public var codeName: String?
        public var message: String

        public init(code: Int, codeName: String?, message: String) {
            self.code = code
            self.codeName = codeName
            self.message = message
        }
    }

    /// Whether retrying later may succeed (the database or network is unavailable).
    public var isTransient: Bool {
        switch self {
        case .serverSelection, .network, .timeout: true
        case .writeConcern: true
        default: false
        }
    }

    public var description: String {
        switch self {
        case .duplicateKey(let index, _, _): "duplicate key on index \(index ?? "unknown")"
        case .serverSelection(let message): "no MongoDB server available: \(message)"
        case .network(let message): "MongoDB connection failed: \(message)"
        case .timeout(let message): "MongoDB timed out: \(message)"
        case .command(let failure):
            "MongoDB command failed (\(failure.code) \(failure.codeName ?? "")): \(failure.message)"
        case .writeConcern(let failure): "write concern not satisfied (\(failure.code)): \(failure.message)"
        case .decoding(let keyPath, let message): "cannot decode field '\(keyPath)': \(message)"
        case .encoding(let keyPath, let message): "cannot encode field '\(keyPath)': \(message)"
        case .invalidArgument(let message): "invalid argument: \(message)"
        case .closed: "MongoDB client pool is closed"
        }
    }
}
