// The processes of `benchmarks/gateway` (a benchmark, not a test):
//
//   GatewayBenchmark upstream PORT
//       A cheap upstream: every request gets 200 `{"status":"ok"}`, except
//       `/.well-known/jwks.json`, which publishes a fresh ES256 key. It prints one line,
//       `token <JWT>`: a USER token (1 h) signed with that key, for wrk's Authorization.
//   GatewayBenchmark verify SECONDS
//       Prints `verify N`: ES256 access-token verifications per second through
//       TokenVerifier on one task (the cost the gateway pays per request without a cache).
//   GatewayBenchmark gateway PORT UPSTREAM_URL [--no-token-cache] [--codec-path] [--router-only]
//                            [--upstream-connections N]
//       The gateway, built as `event-reward gateway` builds it (GatewayHTTPClient,
//       JWKSRefresher, buildGatewayApplication), with auth and event both at UPSTREAM_URL;
//       with --no-token-cache every request's token is verified (ES256) anew; with
//       --codec-path the event-loop proxy serves requests behind NIO's HTTP codec (its
//       byte-level path off); with --router-only every request goes through the router and
//       the HTTP client (the event-loop proxy off); --upstream-connections sets
//       `upstreamConnectionsPerLoop` (else the gateway's default).
//   GatewayBenchmark relay PORT UPSTREAM_PORT
//       A bare SwiftNIO TCP relay to 127.0.0.1:UPSTREAM_PORT (ByteRelay): no HTTP, no token,
//       the floor under any proxy built on NIO.

import AsyncHTTPClient
import Foundation
import Gateway
import Hummingbird
import JWTKit
import Logging
import PlatformCore
import ServiceLifecycle

let arguments = CommandLine.arguments
let usage =
    "usage: GatewayBenchmark upstream PORT | gateway PORT UPSTREAM_URL [--no-token-cache] [--codec-path] [--router-only]"
    + " [--upstream-connections N] | relay PORT UPSTREAM_PORT | verify SECONDS"
guard arguments.count >= 3, let port = Int(arguments[2]) else {
    print(usage)
    exit(64)
}
let logger = Logger(label: "benchmark") { _ in SwiftLogNoOpLogHandler() }
/// The positive number after `name` in the arguments, `nil` without `name`; exits with the
/// usage when what follows is not one.
func positiveOption(_ name: String) -> Int? {
    guard let position = arguments.firstIndex(of: name) else { return nil }
    guard position + 1 < arguments.count, let value = Int(arguments[position + 1]), value > 0 else {
        print(usage)
        exit(64)
    }
    return value
}

switch arguments[1] {
case "upstream":
    let key = ES256PrivateKey()
    let parameters = key.publicKey.parameters!
    let jwks =
        #"{"keys":[{"kty":"EC","crv":"P-256","alg":"ES256","use":"sig","kid":"bench","x":"\#(parameters.x)","y":"\#(parameters.y)"}]}"#
    let signer = JWTKeyCollection()
    await signer.add(ecdsa: key, kid: "bench")
    let now = Date()
    let claims = AccessTokenClaims(
        subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user], issuer: TokenExpectations().issuer,
        audience: TokenExpectations().audience, issuedAt: now, expiresAt: now.addingTimeInterval(3600),
        tokenID: UUID().uuidString)
    FileHandle.standardOutput.write(Data("token \(try await signer.sign(claims, kid: "bench"))\n".utf8))
    let ok = ByteBuffer(string: #"{"status":"ok"}"#)
    let keys = ByteBuffer(string: jwks)
    let router = Router()
    router.get(".well-known/jwks.json") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: keys))
    }
    router.get("**") { _, _ in
        Response(status: .ok, headers: [.contentType: "application/json"], body: .init(byteBuffer: ok))
    }
    let app = Application(
        router: router, configuration: .init(address: .hostname("127.0.0.1", port: port), serverName: nil),
        logger: logger)
    try await app.runService()

case "gateway":
    guard arguments.count >= 4 else { exit(64) }
    var configuration = GatewayConfiguration(
        http: HTTPServerConfiguration(port: port), authURL: arguments[3], eventURL: arguments[3], logLevel: .error,
        tokenCacheSize: arguments.contains("--no-token-cache") ? 0 : 10_000,
        proxiesOnEventLoop: !arguments.contains("--router-only"),
        usesWirePath: !arguments.contains("--codec-path"))
    if let connections = positiveOption("--upstream-connections") {
        configuration.upstreamConnectionsPerLoop = connections
    }
    let client = GatewayHTTPClient.make(configuration: configuration)
    let refresher = JWKSRefresher(
        configuration: .init(url: configuration.jwksURL), httpClient: client, logger: logger)
    let app = try buildGatewayApplication(
        configuration: configuration,
        verifier: refresher.verifier(
            cache: configuration.makeTokenCache(), failureBudget: configuration.makeTokenFailureBudget()),
        httpClient: client,
        keysAvailable: { refresher.hasKeys }, logger: logger)
    let group = PlatformServiceGroup.make(
        servers: [app], resources: [HTTPClientService(client: client), refresher], logger: logger)
    try await group.run()

case "relay":
    guard arguments.count >= 4, let upstreamPort = Int(arguments[3]) else { exit(64) }
    try await ByteRelay.run(port: port, upstreamHost: "127.0.0.1", upstreamPort: upstreamPort)

case "verify":
    // ES256 verifications per second through TokenVerifier (parse, jwt-kit's P-256 verify,
    // claims decode, issuer/audience check), one task, no cache, for `PORT` seconds.
    let key = ES256PrivateKey()
    let keys = JWTKeyCollection()
    await keys.add(ecdsa: key, kid: "bench")
    let now = Date()
    let token = try await keys.sign(
        AccessTokenClaims(
            subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user], issuer: TokenExpectations().issuer,
            audience: TokenExpectations().audience, issuedAt: now, expiresAt: now.addingTimeInterval(3600),
            tokenID: UUID().uuidString),
        kid: "bench")
    let verifier = TokenVerifier(keys: try await VerifyingKeys([(kid: "bench", key: key.publicKey)]))
    let rate = try await verificationRate(verifier, token: token, seconds: port)
    print("verify \(Int(rate))")

default:
    print(usage)
    exit(64)
}

/// Verifications per second of `token` for `seconds`, off the main actor (top-level code
/// runs on it, and a hop there and back per call would be measured too).
func verificationRate(_ verifier: TokenVerifier, token: String, seconds: Int) async throws -> Double {
    let clock = ContinuousClock()
    let end = clock.now + .seconds(seconds)
    var count = 0
    let start = clock.now
    while clock.now < end {
        for _ in 0..<100 { _ = try await verifier.verify(token) }
        count += 100
    }
    let elapsed = clock.now - start
    return Double(count) / (Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18)
}
