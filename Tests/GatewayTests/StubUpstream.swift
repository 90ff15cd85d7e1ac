import Foundation
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import Synchronization

/// What a stub upstream received, as it echoes it back.
struct EchoedRequest: Codable, Sendable, Equatable {
    var method: String
    /// The request target as received: path and query, byte for byte.
    var target: String
    /// The `Host` field (`:authority` once read).
    var authority: String?
    /// Header fields in order, as `[name, value]` pairs.
    var headers: [[String]]
    var bodyBase64: String

    var body: [UInt8] { Array(Data(base64Encoded: bodyBase64) ?? Data()) }

    /// The values of the header `name` (case-insensitive).
    func values(_ name: String) -> [String] {
        headers.filter { $0[0].lowercased() == name.lowercased() }.map { $0[1] }
    }
}

/// A tiny upstream for gateway tests: it records every request and answers by the
/// `X-Stub-Mode` header — `echo` (default: 200 with the request as JSON), `hang` (no answer
/// for 5 s), `envelope` (a fixed 409 error envelope), `fail` (a 500), `nocontent` (a 204) — and serves
/// `/health` and, once `serveJWKS` was called, a JWK set at `/.well-known/jwks.json`.
final class StubUpstream: Sendable {
    static let envelopeBody =
        #"{"error":{"code":"ALREADY_CLAIMED","message":"You have already claimed this event.","requestId":"upstream-id","details":{"claimId":"65a1f0c2e4b0a1b2c3d4e5f6"}}}"#

    private let received = Mutex<[EchoedRequest]>([])
    private let jwks = Mutex<String?>(nil)
    private let jwksFetches = Mutex(0)

    /// Every request received so far.
    var requests: [EchoedRequest] { received.withLock { $0 } }
    /// How often the JWK set was fetched.
    var jwksFetchCount: Int { jwksFetches.withLock { $0 } }

    /// Replaces the JWK set served.
    func serveJWKS(_ json: String) { jwks.withLock { $0 = json } }

    /// Runs the stub on a free loopback port for the duration of `body`.
    func run<Value: Sendable>(_ body: @Sendable (_ port: Int) async throws -> Value) async throws -> Value {
        let router = Router()
        router.add(middleware: StubMiddleware(stub: self))
        let app = Application(
            router: router,
            configuration: .init(address: .hostname("127.0.0.1", port: 0)),
            logger: Logger(label: "stub") { _ in SwiftLogNoOpLogHandler() }
        )
        return try await app.test(.live) { client in
            try await body(client.port!)
        }
    }

    fileprivate func respond(to request: Request) async throws -> Response {
        let bytes = try await request.body.collect(upTo: 16 << 20)
        let echoed = EchoedRequest(
            method: request.method.rawValue,
            target: request.head.path ?? "",
            authority: request.head.authority,
            headers: request.headers.map { [$0.name.rawName, $0.value] },
            bodyBase64: Data(bytes.readableBytesView).base64EncodedString()
        )
        if request.uri.path == "/.well-known/jwks.json", let set = jwks.withLock({ $0 }) {
            jwksFetches.withLock { $0 += 1 }
            return Self.json(.ok, set)
        }
        if request.uri.path == "/health" {
            return Self.json(.ok, #"{"status":"ok"}"#)
        }
        received.withLock { $0.append(echoed) }
        switch request.headers[HTTPField.Name("X-Stub-Mode")!] ?? "echo" {
        case "hang":
            // Far past any read timeout the tests configure, short enough not to hold up
            // the stub's shutdown, which waits for requests in flight.
            try await Task.sleep(for: .seconds(5))
            return Self.json(.ok, "{}")
        case "chunked":
            // No Content-Length: the body goes out chunked, in three parts.
            return Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: ResponseBody { writer in
                    for part in ["first,", "second,", "third"] {
                        try await writer.write(ByteBuffer(string: part))
                    }
                    try await writer.finish(nil)
                })
        case "lengthInParts":
            // A declared length, its body sent in two parts a moment apart: the proxy reads
            // the head (and the first part) before the rest is there.
            return Response(
                status: .ok, headers: [.contentType: "text/plain"],
                body: ResponseBody(contentLength: Self.partsBody.utf8.count) { writer in
                    try await writer.write(ByteBuffer(string: Self.bodyParts.first))
                    try await Task.sleep(for: .milliseconds(50))
                    try await writer.write(ByteBuffer(string: Self.bodyParts.second))
                    try await writer.finish(nil)
                })
        case "slow":
            try await Task.sleep(for: .seconds(1))
            return Self.json(.ok, #"{"slow":true}"#)
        case "envelope":
            var response = Self.json(.conflict, Self.envelopeBody)
            response.headers[HTTPField.Name("X-Upstream")!] = "yes"
            return response
        case "fail":
            return Self.json(.internalServerError, #"{"oops":true}"#)
        case "nocontent":
            return Response(status: .noContent)
        default:
            let data = try JSONEncoder().encode(echoed)
            return Self.json(.ok, String(decoding: data, as: UTF8.self))
        }
    }

    /// The two parts `lengthInParts` sends its body in...
    static let bodyParts = (first: "first,", second: "second")
    /// ...and the body whole.
    static let partsBody = bodyParts.first + bodyParts.second

    private static func json(_ status: HTTPResponse.Status, _ body: String) -> Response {
        Response(
            status: status, headers: [.contentType: "application/json"],
            body: ResponseBody(byteBuffer: ByteBuffer(string: body)))
    }
}

private struct StubMiddleware: RouterMiddleware {
    typealias Context = BasicRequestContext
    let stub: StubUpstream

    func handle(
        _ request: Request, context: BasicRequestContext, next: (Request, BasicRequestContext) async throws -> Response
    ) async throws -> Response {
        try await stub.respond(to: request)
    }
}
