// ES256 sign/s and verify/s on one core, as the platform signs (auth) and verifies
// (gateway, auth, event) access tokens. A benchmark, not a test: it prints numbers.
//
//   ES256Benchmark [SECONDS]     (default 3 per figure)
//
// Prints one JSON object: {"sign": N, "verify": N, "collectionVerify": N, "rawSign": N,
// "rawVerify": N} — operations per second.
//   - sign: `JWTKeyCollection.sign` of fresh `AccessTokenClaims` (new `jti` and times each
//     time), as `AccessTokenIssuer` does;
//   - verify: `TokenVerifier.verify` without its cache (parse, jwt-kit's ES256 algorithm,
//     claims decode, time window, issuer/audience check), as every service does on a token
//     it has not seen;
//   - collectionVerify: the same token through jwt-kit's `JWTKeyCollection.verify` (an
//     actor), what `TokenVerifier` did before — for comparison;
//   - rawSign/rawVerify: the P-256 signature alone through swift-crypto (BoringSSL) on the
//     same signing input — the floor under both verify figures.
// One task, no concurrency: the figure is one core's, like `openssl speed ecdsap256`. The
// loops run off the main actor (in `ES256Rates.measure`), so no figure pays for hops
// between the main actor and the global executor that the services never make.

import Crypto
import Foundation
import JWTKit
import PlatformCore

let seconds = CommandLine.arguments.count > 1 ? Double(CommandLine.arguments[1]) ?? 3 : 3
let rates = try await ES256Rates(seconds: seconds).measure()
print(
    #"{"sign": \#(rates.sign), "verify": \#(rates.verify), "collectionVerify": \#(rates.collectionVerify), "#
        + #""rawSign": \#(rates.rawSign), "rawVerify": \#(rates.rawVerify), "sink": \#(rates.sink % 2)}"#)

/// The five figures, measured one after another on the calling task.
struct ES256Rates {
    let seconds: Double
    var sign = 0
    var verify = 0
    var collectionVerify = 0
    var rawSign = 0
    var rawVerify = 0
    /// Keeps the optimiser from dropping the work.
    var sink = 0

    init(seconds: Double) {
        self.seconds = seconds
    }

    func claims(_ expectations: TokenExpectations) -> AccessTokenClaims {
        let now = Date()
        return AccessTokenClaims(
            subject: "65a1f0c2e4b0a1b2c3d4e5f6", roles: [.user], issuer: expectations.issuer,
            audience: expectations.audience, issuedAt: now, expiresAt: now.addingTimeInterval(900),
            tokenID: UUID().uuidString)
    }

    /// Runs `body` in batches of 50 for `seconds`; returns calls per second.
    func rate(_ body: () async throws -> Void) async rethrows -> Int {
        let clock = ContinuousClock()
        let start = clock.now
        let end = start + .milliseconds(Int(seconds * 1000))
        var count = 0
        while clock.now < end {
            for _ in 0..<50 { try await body() }
            count += 50
        }
        let elapsed = (clock.now - start).components
        return Int(Double(count) / (Double(elapsed.seconds) + Double(elapsed.attoseconds) / 1e18))
    }

    func measure() async throws -> ES256Rates {
        var result = self
        let expectations = TokenExpectations()
        let key = ES256PrivateKey()
        let keys = JWTKeyCollection()
        await keys.add(ecdsa: key, kid: "bench")
        let token = try await keys.sign(claims(expectations), kid: "bench")
        let verifier = TokenVerifier(
            keys: try await VerifyingKeys([(kid: "bench", key: key.publicKey)]), expectations: expectations)
        var sink = 0
        // Warm up both paths (first-use allocations, lazy tables) before timing.
        for _ in 0..<200 {
            sink &+= try await keys.sign(claims(expectations), kid: "bench").utf8.count
            sink &+= try await verifier.verify(token).subject.utf8.count
        }
        result.sign = try await rate { sink &+= try await keys.sign(claims(expectations), kid: "bench").utf8.count }
        result.verify = try await rate { sink &+= try await verifier.verify(token).subject.utf8.count }
        result.collectionVerify = try await rate {
            sink &+= try await keys.verify(token, as: AccessTokenClaims.self).sub.value.utf8.count
        }

        // The bare signature over the same bytes jwt-kit signs (header.payload).
        let rawKey = P256.Signing.PrivateKey()
        let signingInput = Data(token.split(separator: ".").prefix(2).joined(separator: ".").utf8)
        let rawSignature = try rawKey.signature(for: signingInput)
        result.rawSign = try await rate { sink &+= try rawKey.signature(for: signingInput).rawRepresentation.count }
        result.rawVerify = await rate {
            sink &+= rawKey.publicKey.isValidSignature(rawSignature, for: signingInput) ? 1 : 0
        }
        result.sink = sink
        return result
    }
}
