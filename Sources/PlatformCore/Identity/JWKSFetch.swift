import AsyncHTTPClient
import JWTKit
import NIOCore
import NIOHTTP1

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// One fetch of a JWK set, keeping only the keys the platform verifies with (ES256).
enum JWKSFetch {
    /// Why a fetch gave nothing usable.
    struct Failure: Error, CustomStringConvertible {
        let description: String
    }

    /// The members of a JWK set we look at; anything else in a key is ignored, and a key
    /// of another type does not make the whole set fail to decode.
    struct KeySet: Decodable {
        struct Key: Decodable {
            var kty: String?
            var crv: String?
            var alg: String?
            var use: String?
            var kid: String?
            var x: String?
            var y: String?
        }
        var keys: [Key]
    }

    /// The largest JWK set accepted.
    static let maximumBodySize = 256 * 1024

    /// Fetches `url` and returns its ES256 keys by `kid`.
    /// - Throws: `Failure` for a non-200 answer, a body that is not a JWK set, or a set
    ///   without one usable key; the client's error when the request fails.
    static func usableKeys(
        url: String, client: HTTPClient, timeout: Duration
    ) async throws -> [(
        kid: String, key: ES256PublicKey
    )] {
        var request = HTTPClientRequest(url: url)
        request.headers.add(name: "Accept", value: "application/json")
        let response = try await client.execute(request, timeout: .nanoseconds(Int64(timeout.nanoseconds)))
        guard response.status == .ok else {
            throw Failure(description: "status \(response.status.code)")
        }
        let body = try await response.body.collect(upTo: maximumBodySize)
        return try usableKeys(json: Data(body.readableBytesView))
    }

    /// The ES256 keys of a JWK set's JSON, by `kid`.
    /// - Throws: `Failure` for JSON that is not a JWK set, or a set without one usable key.
    static func usableKeys(json: Data) throws -> [(kid: String, key: ES256PublicKey)] {
        let set: KeySet
        do {
            set = try JSONDecoder().decode(KeySet.self, from: json)
        } catch {
            throw Failure(description: "the body is not a JWK set")
        }
        let keys = usable(set)
        guard !keys.isEmpty else { throw Failure(description: "the set has no ES256 key") }
        return keys
    }

    /// The ES256 public keys of `set`, by `kid` (the first of a repeated `kid` wins).
    static func usable(_ set: KeySet) -> [(kid: String, key: ES256PublicKey)] {
        var result: [(kid: String, key: ES256PublicKey)] = []
        var seen: Set<String> = []
        for key in set.keys {
            guard key.kty == "EC", key.crv == "P-256", key.alg == nil || key.alg == "ES256",
                key.use == nil || key.use == "sig",
                let kid = key.kid, !kid.isEmpty, let x = key.x, let y = key.y,
                let publicKey = try? ES256PublicKey(parameters: (x: x, y: y)),
                seen.insert(kid).inserted
            else { continue }
            result.append((kid: kid, key: publicKey))
        }
        return result
    }
}

extension Duration {
    /// The duration in whole nanoseconds (saturating).
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product + attoseconds / 1_000_000_000
    }
}
