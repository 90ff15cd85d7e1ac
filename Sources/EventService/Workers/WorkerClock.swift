import Foundation

/// Where the service reads the time: the wall clock in production, a fixed or moved
/// clock in tests (e.g. to let a lease expire without waiting).
struct WorkerClock: Sendable {
    let now: @Sendable () -> Date

    /// The system clock.
    static let system = WorkerClock { Date() }
}
