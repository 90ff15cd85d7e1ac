import Logging
import PlatformCore

/// The auth service's implementation of the generated `APIProtocol`, one extension per
/// resource (`AuthAPI+Accounts`, `+Sessions`, `+Users`, `+ServiceClients`,
/// `+ClientCredentials`, `+Keys`).
///
/// Generated handlers see neither the Hummingbird context nor the raw request: the caller
/// comes from `CallerIdentity.current` (set by the authentication middleware from a
/// verified token), the request id from `RequestIdentifier.current`, the client address
/// and `Authorization` header from `RequestFacts.current`. Errors are thrown as `APIError`
/// and rendered as the envelope by the platform middleware.
struct AuthAPI: APIProtocol {
    let core: AuthCore
    let logger: Logger

    /// Roles that any signed-in person holds at least one of.
    static let anyUser: Set<Role> = [.user, .operator, .auditor, .admin]

    var sessions: SessionService { SessionService(core: core) }
    var audit: AuditTrail { AuditTrail(outbox: core.outbox) }

    /// The logger for the request being handled, with its id and caller.
    var requestLogger: Logger {
        var logger = logger
        if let requestID = RequestIdentifier.current { logger[metadataKey: "request.id"] = .string(requestID) }
        if let caller = CallerIdentity.current { logger[metadataKey: "user.id"] = .string(caller.subject) }
        return logger
    }
}
