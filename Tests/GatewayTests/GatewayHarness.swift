import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import JWTKit
import Logging
import NIOCore
import PlatformCore
import Prometheus
import TestSupport

/// A gateway built with its real build function, in front of two stub upstreams (auth and
/// event), with a verifier over the fixed test keys.
struct GatewayHarness: Sendable {
    let auth: StubUpstream
    let event: StubUpstream
    let metrics: PrometheusCollectorRegistry

    /// Starts two stubs and a live gateway in front of them, then runs `body`.
    /// - Parameters:
    ///   - path: Whether the event-loop proxy is on (it is by default, as in production).
    ///   - configure: Changes to the gateway configuration (ports are filled in).
    ///   - verifier: The verifier; `TestKeys.verifier()` by default.
    ///   - authPort: Use this port for auth instead of the stub (e.g. an unused one).
    static func run(
        path: ProxyPath = .wire,
        configure: @Sendable (inout GatewayConfiguration) -> Void = { _ in },
        verifier: TokenVerifier? = nil,
        keysAvailable: (@Sendable () -> Bool)? = nil,
        authPort: Int? = nil,
        _ body: @Sendable (GatewayHarness, any TestClientProtocol) async throws -> Void
    ) async throws {
        let harness = GatewayHarness(
            auth: StubUpstream(), event: StubUpstream(), metrics: PrometheusCollectorRegistry())
        let resolvedVerifier: TokenVerifier
        if let verifier { resolvedVerifier = verifier } else { resolvedVerifier = try await TestKeys.verifier() }
        try await harness.auth.run { authStubPort in
            try await harness.event.run { eventPort in
                var configuration = GatewayConfiguration(
                    http: HTTPServerConfiguration(port: 0),
                    authURL: "http://127.0.0.1:\(authPort ?? authStubPort)",
                    eventURL: "http://127.0.0.1:\(eventPort)",
                    logLevel: .critical,
                    proxiesOnEventLoop: path != .router,
                    usesWirePath: path == .wire
                )
                configure(&configuration)
                let client = GatewayHTTPClient.make(configuration: configuration)
                do {
                    let app = try buildGatewayApplication(
                        configuration: configuration, verifier: resolvedVerifier, httpClient: client,
                        metrics: harness.metrics, keysAvailable: keysAvailable,
                        logger: Logger(label: "gateway") { _ in SwiftLogNoOpLogHandler() })
                    try await app.test(.live) { gateway in
                        try await body(harness, gateway)
                    }
                } catch {
                    try await client.shutdown()
                    throw error
                }
                try await client.shutdown()
            }
        }
    }
}

extension GatewayHarness {
    /// How many requests the event-loop proxy answered so far, on either of its paths (0
    /// when it is off).
    var proxiedOnEventLoop: Int { metrics.value(of: "gateway_event_loop_proxied_requests_total") }

    /// How many of those the byte-level path (`WireProxyHandler`) answered.
    var proxiedAsBytes: Int { metrics.value(of: "gateway_wire_proxied_requests_total") }

    /// How many requests `path` answered itself: for `.router`, any the event-loop proxy
    /// answered (expected 0).
    func proxied(by path: ProxyPath) -> Int {
        switch path {
        case .wire: proxiedAsBytes
        case .eventLoop: proxiedOnEventLoop - proxiedAsBytes
        case .router: proxiedOnEventLoop
        }
    }
}

/// The gateway's two ways of forwarding a request; proxy tests run through both, since
/// their answers must not differ.
enum ProxyPath: String, Sendable, CaseIterable, CustomStringConvertible {
    /// `WireProxyHandler`: the event-loop proxy reading requests as bytes (the default).
    case wire
    /// `LoopProxyHandler`: the event-loop proxy behind NIO's HTTP codec
    /// (`usesWirePath: false`, or every connection the byte-level path handed off).
    case eventLoop
    /// The router and the HTTP client (`proxiesOnEventLoop: false`, or any request the
    /// event-loop proxy leaves to the router).
    case router

    var description: String { rawValue }

    /// What `GatewayHarness.proxied(by:)` should read after `count` forwarded requests.
    func proxied(_ count: Int) -> Int { self == .router ? 0 : count }
}

/// Every caller of the role matrix: no token, or a token with exactly one role.
enum Caller: Sendable, CustomStringConvertible, CaseIterable {
    case anonymous
    case user, `operator`, auditor, admin, service

    var role: Role? {
        switch self {
        case .anonymous: nil
        case .user: .user
        case .operator: .operator
        case .auditor: .auditor
        case .admin: .admin
        case .service: .service
        }
    }

    var description: String { role?.rawValue ?? "no token" }
}

extension HTTPFields {
    /// Headers carrying a Bearer token.
    static func bearer(_ token: String) -> HTTPFields { [.authorization: "Bearer \(token)"] }
}

extension TestResponse {
    /// The body decoded as the error envelope.
    func envelope() throws -> ErrorEnvelope.Body {
        try JSONDecoder().decode(ErrorEnvelope.self, from: Data(body.readableBytesView)).error
    }

    /// The body decoded as what the stub echoed.
    func echoed() throws -> EchoedRequest {
        try JSONDecoder().decode(EchoedRequest.self, from: Data(body.readableBytesView))
    }

    var text: String { String(buffer: body) }
}

/// The repository's `openapi.yaml`.
func repositoryDocument() throws -> [UInt8] {
    let url = MongoTestEndpoint.repositoryRoot.appendingPathComponent("openapi.yaml")
    return Array(try Data(contentsOf: url))
}

/// A concrete path for a template: every parameter becomes a valid ObjectId.
func concretePath(_ template: PathTemplate) -> String {
    "/"
        + template.segments.map { segment in
            switch segment {
            case .literal(let literal): literal
            case .parameter: "65a1f0c2e4b0a1b2c3d4e5f6"
            }
        }.joined(separator: "/")
}

extension RawReply {
    /// The body decoded as what the stub echoed.
    func echoed() throws -> EchoedRequest {
        try JSONDecoder().decode(EchoedRequest.self, from: Data(body))
    }
}
