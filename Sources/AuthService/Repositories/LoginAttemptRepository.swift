#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Counters of login attempts, one per key (`email:…`, `ip:…`) and fixed window, in
/// MongoDB so every replica sees the same counts; a TTL index drops a counter when its
/// window ends.
protocol LoginAttemptRepository: Sendable {
    /// Adds one to the counter of `key` for the window `[windowStart, windowEnd)` and
    /// returns the new count (atomic across replicas).
    func increment(key: String, windowStart: Date, windowEnd: Date) async throws -> Int

    /// Takes one back from that counter (an attempt that succeeded).
    func decrement(key: String, windowStart: Date) async throws

    /// Drops that counter.
    func reset(key: String, windowStart: Date) async throws
}
