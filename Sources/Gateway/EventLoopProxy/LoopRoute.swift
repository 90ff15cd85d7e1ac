import HTTPTypes
import PlatformCore

/// What the event-loop proxy needs of one operation it forwards, made once when the
/// planner is built: a match hands out this object instead of copying the operation.
final class LoopRoute: Sendable {
    /// The upstream service (`x-service-tags`).
    let service: String
    /// Where that service is reached.
    let upstream: UpstreamTarget
    /// The route template, for the request metrics.
    let template: String
    let method: HTTPRequest.Method
    /// Who may call it (`x-roles`) as a mask: the roles any of which lets a caller in
    /// (`AccessRequirement.anyOf`), `nil` for a public route.
    let permittedRoles: RoleMask?
    /// The byte-level path's pieces of the upstream head, made once: the upstream's path
    /// prefix, and the whole `Host` field line (`Host: ` and the authority and CRLF).
    let pathPrefixBytes: [UInt8]
    let hostField: [UInt8]

    /// The route of `operation`, or `nil` when the proxy cannot forward it (no service, or a
    /// service without a plain `http://` target).
    init?(_ operation: ContractOperation, targets: [String: UpstreamTarget]) {
        guard let service = operation.service, let upstream = targets[service] else { return nil }
        self.service = service
        self.upstream = upstream
        self.template = operation.path.template
        self.method = operation.method
        self.pathPrefixBytes = Array(upstream.pathPrefix.utf8)
        self.hostField = Array("Host: \(upstream.authority)\r\n".utf8)
        if case .anyOf(let roles) = operation.access {
            self.permittedRoles = RoleMask(roles)
        } else {
            self.permittedRoles = nil
        }
    }
}
