import HTTPTypes
import NIOCore
import PlatformCore

/// One request the wire path takes on: where it goes, and the upstream head as bytes.
struct WireRequestPlan {
    /// The upstream service (`x-service-tags`).
    let service: String
    /// The route template, for the request metrics.
    let route: String
    let method: HTTPRequest.Method
    /// The request's platform id (the client's, when usable, else a new one).
    let requestID: String
    /// The request line and headers for the upstream, ready to write.
    let upstreamHead: ByteBuffer
    /// The body's declared length (0 without `Content-Length`).
    let bodyLength: Int
}

/// What the planner makes of a request head read as bytes.
enum WireDecision {
    case take(WireRequestPlan)
    /// The route needs a role and the token is well-formed but not in the verified-token
    /// cache yet: verify it (`TokenVerifier.verify`, which fills the cache), then ask again.
    case verifyFirst(token: String)
    /// Not one the planner takes: the router's.
    case leave
}

extension LoopProxyPlanner {
    /// The wire path's decision for `head` (read from `bytes`): the planner takes the
    /// requests `plan(_:clientAddress:)` takes for a decoded head, and the upstream head
    /// carries the same target and the same fields as `ProxyHeaders.upstreamRequestHeaders`
    /// would give, in the same order. A token not yet cached is `.verifyFirst` when
    /// `mayVerify` (and the verifier has a cache), so a client's first request with a new
    /// token need not leave the byte-level path.
    /// - Parameters:
    ///   - head: The parsed head.
    ///   - bytes: The bytes `head` was read from.
    ///   - clientAddress: The client's IP address (for `X-Forwarded-For`).
    ///   - allocator: For the upstream head's buffer.
    ///   - mayVerify: Whether `.verifyFirst` may be answered (not twice for one request).
    func wirePlan(
        _ head: WireRequestHead, bytes: UnsafeRawBufferPointer, clientAddress: String?,
        allocator: ByteBufferAllocator, mayVerify: Bool
    ) -> WireDecision {
        let target = UnsafeRawBufferPointer(rebasing: bytes[head.target])
        guard let operation = routes.matchedOperation(method: head.method, target: target),
            let service = operation.service, let upstream = targets[service]
        else { return .leave }

        var upstreamHead = allocator.buffer(capacity: head.length + 256)
        upstreamHead.writeString(head.method.rawValue)
        upstreamHead.writeInteger(UInt8(ascii: " "))
        upstreamHead.writeString(upstream.pathPrefix)
        upstreamHead.writeBytes(target)
        upstreamHead.writeStaticString(" HTTP/1.1\r\n")

        var contentLength: Int?
        var authorization: Range<Int>?
        var requestIDs: [Range<Int>] = []
        var forwardedFor: [Range<Int>] = []
        var connectionSeen = false
        for field in head.fields {
            let name = WireBytes.lowercased(bytes, field.name)
            switch Self.requestFieldRoles[name] {
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
                authorization = field.value
                Self.write(field, from: bytes, into: &upstreamHead)
            case nil:
                if name.utf8.starts(with: "x-user-".utf8) { continue }
                Self.write(field, from: bytes, into: &upstreamHead)
            }
        }
        if case .anyOf = operation.access {
            guard let authorization, let token = BearerToken.parse(WireBytes.string(bytes, authorization)) else {
                return .leave
            }
            guard let identity = verifier.identityWithoutSuspending(token) else {
                return mayVerify && verifier.cache != nil ? .verifyFirst(token: token) : .leave
            }
            guard operation.access.decision(for: identity) == .allowed else { return .leave }
        }

        let clientRequestID = requestIDs.count == 1 ? WireBytes.string(bytes, requestIDs[0]) : nil
        let requestID = RequestIdentifier.sanitized(clientRequestID) ?? RequestIdentifier.generate()
        upstreamHead.writeStaticString("X-Request-Id: ")
        upstreamHead.writeString(requestID)
        upstreamHead.writeStaticString("\r\n")
        if !forwardedFor.isEmpty || clientAddress != nil {
            upstreamHead.writeStaticString("X-Forwarded-For: ")
            for (position, value) in forwardedFor.enumerated() {
                if position > 0 { upstreamHead.writeStaticString(", ") }
                upstreamHead.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[value]))
            }
            if let clientAddress {
                if !forwardedFor.isEmpty { upstreamHead.writeStaticString(", ") }
                upstreamHead.writeString(clientAddress)
            }
            upstreamHead.writeStaticString("\r\n")
        }
        upstreamHead.writeStaticString("Host: ")
        upstreamHead.writeString(upstream.authority)
        upstreamHead.writeStaticString("\r\n")
        if let contentLength {
            upstreamHead.writeStaticString("Content-Length: ")
            upstreamHead.writeString(String(contentLength))
            upstreamHead.writeStaticString("\r\n")
        }
        upstreamHead.writeStaticString("\r\n")
        return .take(
            WireRequestPlan(
                service: service, route: operation.path.template, method: head.method, requestID: requestID,
                upstreamHead: upstreamHead, bodyLength: contentLength ?? 0))
    }

    private static func write(
        _ field: WireRequestHead.Field, from bytes: UnsafeRawBufferPointer, into head: inout ByteBuffer
    ) {
        head.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.name]))
        head.writeStaticString(": ")
        head.writeBytes(UnsafeRawBufferPointer(rebasing: bytes[field.value]))
        head.writeStaticString("\r\n")
    }

    /// What a request field means to the wire path, by lowercased name.
    private enum RequestFieldRole {
        /// Sends the request to the codec path (`Expect`, `Transfer-Encoding`, `Upgrade`).
        case refused
        case connection, contentLength, authorization, requestID, forwardedFor
        /// Not passed on: hop-by-hop, or set by the gateway (`ProxyHeaders`).
        case dropped
    }

    private static let requestFieldRoles: [String: RequestFieldRole] = {
        var roles: [String: RequestFieldRole] = [:]
        for name in ProxyHeaders.hopByHop.union(ProxyHeaders.replacedOnRequest) { roles[name] = .dropped }
        for name in ["expect", "transfer-encoding", "upgrade"] { roles[name] = .refused }
        roles["connection"] = .connection
        roles["content-length"] = .contentLength
        roles["authorization"] = .authorization
        roles["x-request-id"] = .requestID
        roles["x-forwarded-for"] = .forwardedFor
        return roles
    }()
}
