public import HTTPTypes

/// One operation of the OpenAPI document: a method on a path template, with what the
/// gateway needs to route and guard it and what the docs page shows.
public struct ContractOperation: Sendable, Equatable {
    /// The `operationId`, e.g. `claimReward`.
    public var operationID: String
    /// The HTTP method.
    public var method: HTTPRequest.Method
    /// The path template, e.g. `/events/{id}/claims`.
    public var path: PathTemplate
    /// The operation's (first) tag, e.g. `claims`.
    public var tag: String
    /// The service that implements it (`x-service-tags`), e.g. `event`; `nil` for tag
    /// `platform`, which every process serves itself.
    public var service: String?
    /// Who may call it (`x-roles`).
    public var access: AccessRequirement
    /// Whether it is `x-internal`: called service to service, never routed by the gateway.
    public var isInternal: Bool
    /// The one-line summary.
    public var summary: String
    /// The longer description, when there is one.
    public var description: String?
    /// Path, query and header parameters (path-level ones first), `$ref`s resolved.
    public var parameters: [ContractParameter]
    /// The request body, when the operation takes one.
    public var requestBody: ContractRequestBody?
    /// Every documented response, in document order.
    public var responses: [ContractResponse]

    /// Creates an operation (tests and the parser).
    public init(
        operationID: String, method: HTTPRequest.Method, path: PathTemplate, tag: String, service: String?,
        access: AccessRequirement, isInternal: Bool = false, summary: String = "", description: String? = nil,
        parameters: [ContractParameter] = [], requestBody: ContractRequestBody? = nil,
        responses: [ContractResponse] = []
    ) {
        self.operationID = operationID
        self.method = method
        self.path = path
        self.tag = tag
        self.service = service
        self.access = access
        self.isInternal = isInternal
        self.summary = summary
        self.description = description
        self.parameters = parameters
        self.requestBody = requestBody
        self.responses = responses
    }
}

/// Who may call an operation: anyone (`x-roles: [PUBLIC]`) or a verified caller holding one
/// of the listed roles.
public enum AccessRequirement: Sendable, Equatable {
    /// No token needed.
    case `public`
    /// A valid token carrying at least one of these roles.
    case anyOf(Set<Role>)

    /// What a caller gets.
    public enum Decision: Sendable, Equatable {
        /// Let the request through.
        case allowed
        /// 401: the route needs a token and there is none.
        case unauthenticated
        /// 403: the token lacks every required role.
        case forbidden
    }

    /// The decision for `caller` (`nil` when the request carried no verified token).
    /// - Parameter caller: The verified identity, if any.
    /// - Returns: Allowed, unauthenticated or forbidden.
    public func decision(for caller: CallerIdentity?) -> Decision {
        switch self {
        case .public:
            return .allowed
        case .anyOf(let roles):
            guard let caller else { return .unauthenticated }
            return caller.holdsAny(of: roles) ? .allowed : .forbidden
        }
    }
}

/// A parameter of an operation.
public struct ContractParameter: Sendable, Equatable {
    /// The parameter's name, e.g. `limit`.
    public var name: String
    /// `path`, `query`, `header` or `cookie`.
    public var location: String
    /// Whether it must be given.
    public var isRequired: Bool
    /// A short name of its schema, e.g. `ObjectId` or `integer`.
    public var schema: String
    /// Its description, when there is one.
    public var description: String?

    /// Creates a parameter.
    public init(name: String, location: String, isRequired: Bool, schema: String, description: String? = nil) {
        self.name = name
        self.location = location
        self.isRequired = isRequired
        self.schema = schema
        self.description = description
    }
}

/// The request body of an operation: its schema per media type.
public struct ContractRequestBody: Sendable, Equatable {
    /// Whether a body must be sent.
    public var isRequired: Bool
    /// Media type and schema name pairs, e.g. `("application/json", "EventCreate")`.
    public var content: [ContractContent]

    /// Creates a request body.
    public init(isRequired: Bool, content: [ContractContent]) {
        self.isRequired = isRequired
        self.content = content
    }
}

/// One media type of a body and the short name of its schema.
public struct ContractContent: Sendable, Equatable {
    /// e.g. `application/json`.
    public var mediaType: String
    /// e.g. `Event`, `ActivityInput | ActivityBatch`, `string`.
    public var schema: String

    /// Creates a content entry.
    public init(mediaType: String, schema: String) {
        self.mediaType = mediaType
        self.schema = schema
    }
}

/// One documented response of an operation.
public struct ContractResponse: Sendable, Equatable {
    /// The status as written in the document, e.g. `201` or `default`.
    public var status: String
    /// Its description.
    public var description: String
    /// Its bodies (none for e.g. 204).
    public var content: [ContractContent]

    /// Creates a response.
    public init(status: String, description: String, content: [ContractContent]) {
        self.status = status
        self.description = description
        self.content = content
    }
}
