import Crypto

/// RFC 7638 JWK thumbprints: the default `kid` of a configured key, so that every replica
/// holding the same key names it the same way.
enum KeyThumbprint {
    /// The base64url SHA-256 of `{"crv":"P-256","kty":"EC","x":…,"y":…}` (members in
    /// lexicographic order, no whitespace, as the RFC requires).
    static func of(x: String, y: String) -> String {
        let canonical = #"{"crv":"P-256","kty":"EC","x":""# + x + #"","y":""# + y + #""}"#
        return Base64URL.encode(SHA256.hash(data: Array(canonical.utf8)))
    }
}
