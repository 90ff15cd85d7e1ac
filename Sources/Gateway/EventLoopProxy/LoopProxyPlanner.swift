import HTTPTypes
import Hummingbird
import HummingbirdCore
import NIOHTTP1
import PlatformCore

/// One request the event-loop proxy takes on: where it goes and what is sent there.
struct LoopProxyPlan {
    /// The route: its upstream service, and its template and method for the metrics.
    let route: LoopRoute
    /// The request's platform id (the client's, when usable, else a new one).
    let requestID: String
    /// The request line and headers for the upstream.
    let upstreamHead: HTTPRequestHead
}

/// Decides which requests the event-loop proxy may serve, and builds their upstream request.
///
/// It takes a request only when the router's answer is already known to be "forward it":
/// a method and target the router would proxy, a route of the contract served by an
/// upstream, and — for a route with roles — a token whose identity is known without
/// suspending (`TokenVerifier.identityWithoutSuspending`) and holds one of them; a body
/// only with a single declared `Content-Length` within the limit, no `Expect`,
/// `Transfer-Encoding`, `Upgrade` or `Connection` other than keep-alive. Everything else —
/// every error the gateway itself answers, an unknown or new token, a chunked body — goes
/// to the router, which answers as it always has. The upstream request is the one the
/// HTTP client path sends: the same target, and `ProxyHeaders`' headers.
struct LoopProxyPlanner: Sendable {
    let routes: RouteTable
    let verifier: TokenVerifier
    let maximumBodySize: Int
    /// Whether verifying keys are loaded (`RouteGuard.keysAvailable`); `nil` when they
    /// always are.
    let keysAvailable: (@Sendable () -> Bool)?
    /// The route of each of `routes.operations` (by index) the proxy can forward.
    private let loopRoutes: [LoopRoute?]

    /// - Parameter targets: The services the proxy can reach (those with a plain `http://`
    ///   base URL); a route to any other is left to the router.
    init(
        routes: RouteTable, verifier: TokenVerifier, targets: [String: UpstreamTarget], maximumBodySize: Int,
        keysAvailable: (@Sendable () -> Bool)? = nil
    ) {
        self.routes = routes
        self.verifier = verifier
        self.maximumBodySize = maximumBodySize
        self.keysAvailable = keysAvailable
        self.loopRoutes = routes.operations.map { LoopRoute($0, targets: targets) }
    }

    /// What the router answers a request whose `Authorization` failed with `error`
    /// (`RouteGuard.answer(toTokenFailure:keysAvailable:)`).
    func answer(toTokenFailure error: APIError) -> APIError {
        RouteGuard.answer(toTokenFailure: error, keysAvailable: keysAvailable)
    }

    /// The route the proxy forwards `target` with `method` to, if any.
    func route(method: HTTPRequest.Method, target: UnsafeRawBufferPointer) -> LoopRoute? {
        routes.matchedIndex(method: method, target: target).flatMap { loopRoutes[$0] }
    }

    /// Methods the proxy forwards (`HEAD` is left to the router: its response has no body
    /// whatever its headers say).
    private static let forwardedMethods: Set<HTTPRequest.Method> = [.get, .post, .put, .patch, .delete]

    /// The plan for `request`, or `nil` when the router must handle it.
    /// - Parameters:
    ///   - request: The request head as decoded.
    ///   - clientAddress: The client's IP address (for `X-Forwarded-For`).
    func plan(_ request: HTTPRequest, clientAddress: String?) -> LoopProxyPlan? {
        guard Self.forwardedMethods.contains(request.method), let target = request.path, Self.isPlainTarget(target)
        else { return nil }
        let fields = request.headerFields
        guard let decisive = DecisiveFields(fields) else { return nil }
        let declaredLength = decisive.contentLength
        if let declared = declaredLength {
            guard !declared.isEmpty, declared.utf8.allSatisfy({ $0 >= 48 && $0 <= 57 }),
                let length = Int(declared), length <= maximumBodySize
            else { return nil }
        }
        // The target is origin-form without a fragment (`isPlainTarget`): its path is what
        // comes before `?`, which is all `match` reads.
        var pathBytes = target
        guard let route = pathBytes.withUTF8({ self.route(method: request.method, target: UnsafeRawBufferPointer($0)) })
        else { return nil }
        let upstream = route.upstream
        if let permittedRoles = route.permittedRoles {
            guard let header = decisive.authorization, let token = BearerToken.parse(header),
                let identity = verifier.identityWithoutSuspending(token, client: clientAddress),
                RoleMask(identity.roles).overlaps(permittedRoles)
            else { return nil }
        }

        let requestID = RequestIdentifier.sanitized(decisive.requestID) ?? RequestIdentifier.generate()
        var headers = ProxyHeaders.upstreamRequestHeaders(fields, requestID: requestID, clientAddress: clientAddress)
        headers.add(name: "Host", value: upstream.authority)
        if let declared = declaredLength {
            headers.add(name: "Content-Length", value: declared)
        }
        return LoopProxyPlan(
            route: route, requestID: requestID,
            upstreamHead: HTTPRequestHead(
                version: .http1_1, method: HTTPMethod(rawValue: request.method.rawValue),
                uri: upstream.pathPrefix + target, headers: headers))
    }

    /// The header fields the plan depends on, read in one pass (`HTTPFields`' subscript
    /// scans the fields twice and joins the values into a new string on every read; the
    /// planner used to make seven such reads per request).
    private struct DecisiveFields {
        var contentLength: String?
        var authorization: String?
        /// The client's `X-Request-Id`; `nil` when absent or repeated (a repeated one is
        /// never a sane id, so the request gets a new one, as on the router's path).
        var requestID: String?

        /// `nil` when the fields alone send the request to the router: `Expect`,
        /// `Transfer-Encoding` or `Upgrade`; a `Connection` other than one `keep-alive`;
        /// a repeated `Content-Length` or `Authorization`.
        init?(_ fields: HTTPFields) {
            var requestIDs = 0
            var connectionSeen = false
            for field in fields {
                switch field.name {
                case .expect, .transferEncoding, .upgrade:
                    return nil
                case .connection:
                    guard !connectionSeen, field.value.lowercased() == "keep-alive" else { return nil }
                    connectionSeen = true
                case .contentLength:
                    guard contentLength == nil else { return nil }
                    contentLength = field.value
                case .authorization:
                    guard authorization == nil else { return nil }
                    authorization = field.value
                case .xRequestID:
                    requestIDs += 1
                    requestID = requestIDs == 1 ? field.value : nil
                default:
                    continue
                }
            }
        }
    }

    /// Whether `target` is an origin-form path (and query) of RFC 3986 characters only:
    /// anything unusual is left to the router and the HTTP client's URL checks.
    static func isPlainTarget(_ target: String) -> Bool {
        var target = target
        return target.withUTF8 { isPlainTarget(bytes: UnsafeRawBufferPointer($0)) }
    }

    /// `isPlainTarget(_:)` for a target's bytes (the byte-level path checks them in place).
    static func isPlainTarget(bytes: UnsafeRawBufferPointer) -> Bool {
        guard bytes.first == UInt8(ascii: "/") else { return false }
        let allowedTargetBytes = Self.allowedTargetBytes  // read once, not once a byte
        var index = 0
        while index < bytes.count {
            let byte = bytes[index]
            guard allowedTargetBytes[Int(byte)] else { return false }
            if byte == UInt8(ascii: "%") {
                // pct-encoded = "%" HEXDIG HEXDIG
                guard index + 2 < bytes.count, isHexDigit(bytes[index + 1]), isHexDigit(bytes[index + 2]) else {
                    return false
                }
                index += 2
            }
            index += 1
        }
        return true
    }

    private static func isHexDigit(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
            UInt8(ascii: "A")...UInt8(ascii: "F"):
            true
        default: false
        }
    }

    /// unreserved / pct-encoded / sub-delims / ":" / "@" / "/" / "?" (RFC 3986 §3.3, §3.4).
    static let allowedTargetBytes: [Bool] = {
        var allowed = [Bool](repeating: false, count: 256)
        for byte in "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~%!$&'()*+,;=:@/?".utf8 {
            allowed[Int(byte)] = true
        }
        return allowed
    }()
}
