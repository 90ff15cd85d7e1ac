#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Counters of login attempts, one per key (`email:…`, `ip:…`), in MongoDB so every
/// replica sees the same counts. A counter's window opens at the first attempt that finds
/// no live counter and lasts a fixed length; a TTL index drops the counter afterwards.
protocol LoginAttemptRepository: Sendable {
    /// Adds one to the live counter of `key`, or opens a window of `windowSeconds` at `now`
    /// with a count of one; atomic across replicas.
    func increment(key: String, now: Date, windowSeconds: Int) async throws -> LoginAttemptCounter

    /// Takes one back from the counter of `key` opened at `windowStart` (an attempt that
    /// succeeded); a newer window is left alone.
    func decrement(key: String, windowStart: Date) async throws

    /// Drops the counter of `key` opened at `windowStart`.
    func reset(key: String, windowStart: Date) async throws
}

/// One key's counter after an attempt.
struct LoginAttemptCounter: Sendable, Equatable {
    /// Attempts in the window, this one included.
    var count: Int
    var windowStart: Date
    var windowEnd: Date
}
