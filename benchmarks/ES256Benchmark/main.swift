// ES256 sign/s and verify/s on one core, as the platform signs (auth) and verifies
// (gateway, auth, event) access tokens. A benchmark, not a test: it prints numbers.
//
//   ES256Benchmark [SECONDS]     (default 3 per figure)
//
// Prints one JSON object: {"sign": N, "verify": N, "rawSign": N, "rawVerify": N} —
// operations per second.
//   - sign: `JWTKeyCollection.sign` of fresh `AccessTokenClaims` (new `jti` and times each
//     time), as `AccessTokenIssuer` does;
//   - verify: `TokenVerifier.verify` without its cache (parse, P-256 verify, claims decode,
//     issuer/audience check), as every service does on a token it has not seen;
//   - rawSign/rawVerify: the P-256 signature alone through swift-crypto (BoringSSL) on the
//     same signing input — what is left of jwt-kit's figure once its JSON, base64 and actor
//     hops are taken away.
// One task, no concurrency: the figure is one core's, like `openssl speed ecdsap256`.

import Crypto
import Foundation
import JWTKit
import PlatformCore

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 3 : 3
let key = ES256PrivateKey()
let keys = JWTKeyCollection()
await keys.add(ecdsa: key, kid: "bench")
let expectations = TokenExpectations()

func claims() -> AccessTokenClaims {
    let now = Date()
    return AccessTokenClaims(
        subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user], issuer: expectations.issuer,
        audience: expectations.audience, issuedAt: now, expiresAt: now.addingTimeInterval(900),
        tokenID: UUID().uuidString)
}

/// Runs `body` in batches of 50 for `seconds`; returns calls per second.
func rate(_ body: () async throws -> Void) async rethrows -> Double {
    let clock = ContinuousClock()
    let start = clock.now
    let end = start + .milliseconds(Int(seconds * 1000))
    var count = 0
    while clock.now < end {
        for _ in 0..<50 { try await body() }
        count += 50
    }
    let elapsed = (clock.now - start).components
    return Double(count) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18)
}

let token = try await keys.sign(claims(), kid: "bench")
let verifier = TokenVerifier(keys: keys, expectations: expectations)
var sink = 0
// Warm up both paths (first-use allocations, lazy tables) before timing.
for _ in 0..<200 {
    sink &+= try await keys.sign(claims(), kid: "bench").utf8.count
    sink &+= try await verifier.verify(token).subject.utf8.count
}
let signRate = try await rate { sink &+= try await keys.sign(claims(), kid: "bench").utf8.count }
let verifyRate = try await rate { sink &+= try await verifier.verify(token).subject.utf8.count }

// The bare signature over the same bytes jwt-kit signs (header.payload).
let rawKey = P256.Signing.PrivateKey()
let signingInput = Data(token.split(separator: ".").prefix(2).joined(separator: ".").utf8)
let rawSignature = try rawKey.signature(for: signingInput)
let rawSignRate = try await rate { sink &+= try rawKey.signature(for: signingInput).rawRepresentation.count }
let rawVerifyRate = await rate {
    sink &+= rawKey.publicKey.isValidSignature(rawSignature, for: signingInput) ? 1 : 0
}
print(
    #"{"sign": \#(Int(signRate)), "verify": \#(Int(verifyRate)), "rawSign": \#(Int(rawSignRate)), "#
        + #""rawVerify": \#(Int(rawVerifyRate)), "sink": \#(sink % 2)}"#)
