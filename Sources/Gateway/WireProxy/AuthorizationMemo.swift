import PlatformCore

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A client connection's last `Authorization` line whose token the verified-token cache
/// knew, with what the cache said of it. The connection's next request with the same bytes
/// skips reading the line again (`line`), making the token a string, the cache's lock and
/// the hash of the token — a client sends the same token on every request. It holds only
/// while `VerifiedTokenCache.isCurrent` says so: inside the token's window (`nbf`, and `exp`
/// or the cache's maximum age, whichever is first), and with no key withdrawn since.
struct AuthorizationMemo {
    /// The remembered `Authorization` field line, for `WireRequestHead.parse`.
    private(set) var line: KnownFieldLine?
    private var remembered: VerifiedTokenCache.Remembered?
    private var roles = RoleMask([])

    /// The roles remembered for `value`, if `value` is byte for byte the remembered line's
    /// value and the cache still vouches for it.
    func roles(for value: UnsafeRawBufferPointer, cache: VerifiedTokenCache) -> RoleMask? {
        guard let remembered, let line, let bytes = value.baseAddress else { return nil }
        let isSame = line.withValue { own in
            own.count == value.count && own.baseAddress.map { memcmp($0, bytes, value.count) == 0 } ?? false
        }
        guard isSame, cache.isCurrent(remembered) else { return nil }
        return roles
    }

    /// Remembers what the cache said of the token in `field`, the `Authorization` line of
    /// `head`.
    /// - Returns: The token's roles.
    mutating func remember(
        _ field: WireRequestHead.Field, in head: UnsafeRawBufferPointer, _ remembered: VerifiedTokenCache.Remembered
    ) -> RoleMask {
        line = KnownFieldLine(field, in: head)
        self.remembered = remembered
        roles = RoleMask(remembered.identity.roles)
        return roles
    }
}
