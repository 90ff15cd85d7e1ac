import HTTPTypes
import NIOCore
import PlatformCore

/// One request the wire path takes on: where it goes, and the upstream head as bytes.
struct WireRequestPlan {
    /// The route: its upstream service, and its template and method for the metrics.
    let route: LoopRoute
    /// The request's platform id (the client's, when usable, else a new one).
    let requestID: WireRequestID
    /// The request line and headers for the upstream, ready to write.
    let upstreamHead: ByteBuffer
    /// The body's declared length (0 without `Content-Length`).
    let bodyLength: Int
}

/// What the wire path knows of a request it may answer itself instead of forwarding it.
struct WireRequestOutline {
    /// The route, for the metrics.
    let route: LoopRoute
    /// The request's platform id (the client's, when usable, else a new one).
    let requestID: WireRequestID
    /// The body's declared length (0 without `Content-Length`): read and dropped after the
    /// answer.
    let bodyLength: Int
}

/// What the planner makes of a request head read as bytes. The cases besides `take` are
/// boxed (`indirect`), so returning a plan copies no more than the plan.
enum WireDecision {
    case take(WireRequestPlan)
    /// The route needs a role and the token is well-formed but not in the verified-token
    /// cache yet: verify it (`TokenVerifier.verify`, which fills the cache), then ask again;
    /// if it fails, answer `request` with `LoopProxyPlanner.answer(toTokenFailure:)`.
    indirect case verifyFirst(token: String, request: WireRequestOutline)
    /// A request the planner would take but for its `Authorization`: answered with `error`,
    /// the router's answer (401, 403, 429, or 503 while no key is loaded).
    indirect case refuse(APIError, request: WireRequestOutline)
    /// Not one the planner takes: the router's.
    case leave
}

extension LoopProxyPlanner {
    /// The wire path's decision for `head` (read from `bytes`): the planner takes the
    /// requests `plan(_:clientAddress:)` takes for a decoded head, and the upstream head
    /// carries the same target and the same fields as `ProxyHeaders.upstreamRequestHeaders`
    /// would give, in the same order. A token not yet cached is `.verifyFirst` when
    /// `mayVerify` (and the verifier has a cache), so a client's first request with a new
    /// token need not leave the byte-level path. A request it would take but for its
    /// `Authorization` (none, not a bearer token, a token known to fail, too many failures
    /// from its sender, or none of the route's roles) is `.refuse`d with `RouteGuard`'s
    /// answer, so a client sending bad tokens stays on this path too.
    /// - Parameters:
    ///   - head: The parsed head.
    ///   - bytes: The bytes `head` was read from.
    ///   - clientAddress: The client's IP address (for `X-Forwarded-For`).
    ///   - headBuffer: The connection's memory for upstream heads (the plan's head is written
    ///     into it).
    ///   - mayVerify: Whether `.verifyFirst` may be answered (not twice for one request).
    ///   - memo: The connection's last known `Authorization` (read, and updated on a
    ///     cache hit).
    func wirePlan(
        _ head: WireRequestHead, bytes: UnsafeRawBufferPointer, clientAddress: String?,
        headBuffer: inout ReusableHeadBuffer, mayVerify: Bool, memo: inout AuthorizationMemo
    ) -> WireDecision {
        let target = UnsafeRawBufferPointer(rebasing: bytes[head.target])
        guard let route = route(method: head.method, target: target) else { return .leave }

        var contentLength: Int?
        var authorization: WireRequestHead.Field?
        var requestIDs: [Range<Int>] = []
        var forwardedFor: [Range<Int>] = []
        var connectionSeen = false
        // The fields passed on as they are, one bit each by position.
        var passedOn: UInt64 = 0
        guard head.fields.count <= passedOn.bitWidth else { return .leave }
        let requestFieldRoles = Self.requestFieldRoles  // read once, not once a field
        for (position, field) in head.fields.enumerated() {
            switch requestFieldRoles.value(bytes, field.name) {
            case .refused:
                return .leave
            case .connection:
                // One `Connection: keep-alive`, as `plan(_:clientAddress:)` takes: no field
                // it names needs dropping, and it is not passed on.
                guard !connectionSeen, WireBytes.lowercased(bytes, field.value) == "keep-alive" else { return .leave }
                connectionSeen = true
            case .contentLength:
                guard contentLength == nil, let length = WireBytes.decimal(bytes, field.value),
                    length <= maximumBodySize
                else { return .leave }
                contentLength = length
            case .requestID:
                requestIDs.append(field.value)
            case .forwardedFor:
                forwardedFor.append(field.value)
            case .dropped:
                continue
            case .authorization:
                guard authorization == nil else { return .leave }
                authorization = field
                passedOn |= 1 << position
            case nil:
                if WireBytes.startsIgnoringCase(bytes, field.name, Self.userFieldPrefix) { continue }
                passedOn |= 1 << position
            }
        }
        let clientRequestID = requestIDs.count == 1 ? WireBytes.string(bytes, requestIDs[0]) : nil
        let requestID = WireRequestID(client: clientRequestID)
        // `RouteGuard`'s decision, on role masks: what it lets through is planned below; what
        // it refuses is answered here as it answers it.
        if let permittedRoles = route.permittedRoles {
            func outline() -> WireRequestOutline {
                WireRequestOutline(route: route, requestID: requestID, bodyLength: contentLength ?? 0)
            }
            guard let authorization else { return .refuse(RouteGuard.unauthenticated, request: outline()) }
            let value = UnsafeRawBufferPointer(rebasing: bytes[authorization.value])
            let roles: RoleMask
            if let cache = verifier.cache, let known = memo.roles(for: value, cache: cache) {
                roles = known
            } else {
                guard let token = BearerToken.parse(WireBytes.string(bytes, authorization.value)) else {
                    return .refuse(answer(toTokenFailure: .invalidAccessToken), request: outline())
                }
                if verifier.cache != nil {
                    guard let remembered = verifier.remembered(token) else {
                        if let failure = verifier.knownFailure(of: token, client: clientAddress) {
                            return .refuse(answer(toTokenFailure: failure), request: outline())
                        }
                        return mayVerify ? .verifyFirst(token: token, request: outline()) : .leave
                    }
                    roles = memo.remember(authorization, in: bytes, remembered)
                } else {
                    // Without a cache the check does not say why it failed (an unknown `kid` may
                    // need new keys): the router decides.
                    guard let verified = verifier.identityWithoutSuspending(token, client: clientAddress) else {
                        return .leave
                    }
                    roles = RoleMask(verified.roles)
                }
            }
            guard roles.overlaps(permittedRoles) else { return .refuse(RouteGuard.forbidden, request: outline()) }
        }

        // Every piece below is bytes of the client's head (at most its length, each once,
        // plus the space after each copied name's colon: at most 64) or one of these.
        let bound =
            head.length + route.pathPrefixBytes.count + route.hostField.count + requestID.byteCount
            + (clientAddress?.utf8.count ?? 0) + 256
        let targetStart = head.target.lowerBound
        let fields = head.fields
        var complete = false
        let upstreamHead = headBuffer.write(bound: bound) { memory in
            var out = WireHeadWriter(memory)
            // The client's request line, with the upstream's path prefix before the target.
            out.append(UnsafeRawBufferPointer(rebasing: bytes[..<targetStart]))
            out.append(route.pathPrefixBytes)
            out.append(UnsafeRawBufferPointer(rebasing: bytes[targetStart..<head.requestLineLength]))
            for (position, field) in fields.enumerated() where passedOn & (1 << position) != 0 {
                out.append(field, of: bytes)
            }
            out.append(field: "X-Request-Id: ", requestID)
            if !forwardedFor.isEmpty || clientAddress != nil {
                out.append("X-Forwarded-For: ")
                for (position, value) in forwardedFor.enumerated() {
                    if position > 0 { out.append(", ") }
                    out.append(UnsafeRawBufferPointer(rebasing: bytes[value]))
                }
                if let clientAddress {
                    if !forwardedFor.isEmpty { out.append(", ") }
                    out.append(string: clientAddress)
                }
                out.append("\r\n")
            }
            out.append(route.hostField)
            if let contentLength {
                out.append("Content-Length: ")
                out.append(decimal: contentLength)
                out.append("\r\n")
            }
            out.append("\r\n")
            complete = !out.overflowed
            return complete ? out.count : 0
        }
        // Never expected (the bound covers every piece): the router then serves it.
        guard complete else { return .leave }
        return .take(
            WireRequestPlan(
                route: route, requestID: requestID, upstreamHead: upstreamHead, bodyLength: contentLength ?? 0))
    }

    /// What a request field means to the wire path, by lowercased name.
    private enum RequestFieldRole {
        /// Sends the request to the codec path (`Expect`, `Transfer-Encoding`, `Upgrade`).
        case refused
        case connection, contentLength, authorization, requestID, forwardedFor
        /// Not passed on: hop-by-hop, or set by the gateway (`ProxyHeaders`).
        case dropped
    }

    private static let userFieldPrefix = Array(ProxyHeaders.identityFieldPrefix.utf8)

    private static let requestFieldRoles = WireNameTable<RequestFieldRole>(
        {
            var roles: [String: RequestFieldRole] = [:]
            for name in ProxyHeaders.hopByHop.union(ProxyHeaders.replacedOnRequest) { roles[name] = .dropped }
            for name in ["expect", "transfer-encoding", "upgrade"] { roles[name] = .refused }
            roles["connection"] = .connection
            roles["content-length"] = .contentLength
            roles["authorization"] = .authorization
            roles["x-request-id"] = .requestID
            roles["x-forwarded-for"] = .forwardedFor
            return roles
        }())
}
