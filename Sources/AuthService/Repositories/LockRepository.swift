#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Named, leased locks shared by every replica, for the few critical sections that span
/// several documents (e.g. "is another admin left?" and the demotion that depends on it).
protocol LockRepository: Sendable {
    /// Takes `name` for `owner` until `until` when it is free (never taken, released, or its
    /// lease passed); returns whether it was taken.
    func acquire(_ name: String, owner: String, now: Date, until: Date) async throws -> Bool

    /// Releases `name` if `owner` still holds it.
    func release(_ name: String, owner: String) async throws
}
