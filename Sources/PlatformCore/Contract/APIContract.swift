/// The platform's OpenAPI document (`openapi.yaml`), parsed into what the gateway routes
/// by and the docs page shows: every operation with its method, path template, tag,
/// serving service, roles and `x-internal` flag, parameters, bodies and responses.
///
/// The document is the single source of the routes (DESIGN §2): the gateway's route
/// table, its docs page and the services' generated servers all come from it.
public struct APIContract: Sendable {
    /// A tag of the document.
    public struct Tag: Sendable, Equatable {
        /// e.g. `claims`.
        public var name: String
        /// Its description.
        public var description: String

        /// Creates a tag.
        public init(name: String, description: String) {
            self.name = name
            self.description = description
        }
    }

    /// The tag of the operations every process serves itself (health, metrics, the document).
    public static let platformTag = "platform"

    /// `info.title`.
    public var title: String
    /// `info.version`.
    public var version: String
    /// `info.description`.
    public var description: String
    /// The tags, in document order.
    public var tags: [Tag]
    /// `x-service-tags`: service name → the tags it implements.
    public var serviceTags: [String: [String]]
    /// Every operation, in document order (internal ones included).
    public var operations: [ContractOperation]

    /// Parses a document.
    /// - Parameter yaml: The document's text.
    /// - Throws: `ContractError` when it is not YAML or does not describe the platform's
    ///   contract (see `ContractError`).
    public init(yaml: String) throws(ContractError) {
        self = try ContractParser.parse(yaml)
    }

    init(
        title: String, version: String, description: String, tags: [Tag], serviceTags: [String: [String]],
        operations: [ContractOperation]
    ) {
        self.title = title
        self.version = version
        self.description = description
        self.tags = tags
        self.serviceTags = serviceTags
        self.operations = operations
    }

    /// The route table of every operation, internal ones included.
    public var routeTable: RouteTable { RouteTable(operations: operations) }

    /// The operation with this id, if any.
    public func operation(_ operationID: String) -> ContractOperation? {
        operations.first { $0.operationID == operationID }
    }
}
