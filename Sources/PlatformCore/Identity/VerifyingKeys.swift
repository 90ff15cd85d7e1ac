public import JWTKit
import Synchronization

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// The ES256 public keys access tokens may be signed with, by `kid`, readable without
/// suspending.
///
/// Each key is held as jwt-kit's own ES256 algorithm, and `TokenVerifier` checks a
/// signature with it on the caller's thread (jwt-kit's `JWTKeyCollection` is an actor).
/// Only the keys named here verify: unlike the collection, there is no default key that a
/// token with an unknown `kid` would be checked against.
///
/// Thread-safe; a lookup takes one short lock. Replacing keys is the only `async` work
/// (jwt-kit hands out its algorithm objects through its actor).
public final class VerifyingKeys: Sendable {
    private let algorithms = Mutex<[String: any JWTAlgorithm]>([:])

    /// An empty set: every token is refused until keys are added.
    public init() {}

    /// A set holding exactly `keys`.
    /// - Throws: when jwt-kit cannot make a verifier of a key (not expected for a valid key).
    public convenience init(_ keys: [(kid: String, key: ES256PublicKey)]) async throws {
        self.init()
        try await replace(with: keys)
    }

    /// Makes exactly `keys` the verifying keys (the first of a repeated `kid` wins).
    /// - Throws: when jwt-kit cannot make a verifier of a key; the set is then unchanged.
    public func replace(with keys: [(kid: String, key: ES256PublicKey)]) async throws {
        var replacement: [String: any JWTAlgorithm] = [:]
        for (kid, key) in keys where replacement[kid] == nil {
            replacement[kid] = try await Self.algorithm(for: key)
        }
        algorithms.withLock { $0 = replacement }
    }

    /// Makes the ES256 keys of a JWK set (JSON) the verifying keys.
    /// - Returns: How many keys were taken.
    /// - Throws: when the JSON is not a JWK set or has no ES256 key.
    @discardableResult
    public func replace(withJWKSJSON json: String) async throws -> Int {
        let keys = try JWKSFetch.usableKeys(json: Data(json.utf8))
        try await replace(with: keys)
        return keys.count
    }

    /// Whether no key is held (every token is then refused).
    public var isEmpty: Bool {
        algorithms.withLock { $0.isEmpty }
    }

    /// The `kid`s of the keys held.
    public var keyIDs: Set<String> {
        algorithms.withLock { Set($0.keys) }
    }

    /// jwt-kit's ES256 verifier for `kid`, or `nil` when no such key is held.
    func algorithm(for kid: String) -> (any JWTAlgorithm)? {
        algorithms.withLock { $0[kid] }
    }

    /// jwt-kit's ES256 algorithm over `key`, obtained through a scratch collection (the
    /// only public way to get one).
    private static func algorithm(for key: ES256PublicKey) async throws -> any JWTAlgorithm {
        let scratch = JWTKeyCollection()
        let kid = JWKIdentifier(string: "key")
        await scratch.add(ecdsa: key, kid: kid)
        return try await scratch.getKey(for: kid, alg: "ES256")
    }
}
