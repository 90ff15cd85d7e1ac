/// The OpenAPI document cannot be used as the platform's contract: it is not YAML, or an
/// operation lacks what the gateway and the services rely on (an `operationId`, one tag,
/// `x-roles` with known role names, a tag that `x-service-tags` or `platform` covers).
public struct ContractError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Where in the document, e.g. `paths./events.post`.
    public let location: String
    /// What is wrong there, one line.
    public let reason: String

    /// Creates a contract error.
    /// - Parameters:
    ///   - location: Where in the document.
    ///   - reason: What is wrong there.
    public init(location: String, reason: String) {
        self.location = location
        self.reason = reason
    }

    public var description: String { "\(location): \(reason)" }
}
