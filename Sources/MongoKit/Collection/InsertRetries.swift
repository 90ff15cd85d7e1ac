/// Tries an insert that must not fail the request it follows (an audit record written
/// after the change it records), for a document whose only unique key is an `_id` fixed
/// before the first try.
///
/// The tries run in a task of their own, so a caller that is cancelled (a client gone away)
/// does not cancel them. A duplicate key means an earlier try that timed out was written
/// after all. A timeout or a failed server selection is not tried again: the database is
/// stalled, and whoever waited for the request has given up by then.
public struct InsertRetries: Sendable {
    /// Tries in all.
    public var attempts: Int
    /// The pause after the first failed try; it doubles after each one.
    public var firstPause: Duration

    /// - Parameters:
    ///   - attempts: Tries in all (at least one is made).
    ///   - firstPause: The pause after the first failed try.
    public init(attempts: Int = 3, firstPause: Duration = .milliseconds(50)) {
        self.attempts = attempts
        self.firstPause = firstPause
    }

    /// Runs `insert` until it is written or the tries are spent.
    /// - Returns: `nil` once written, else the last error.
    public func run(_ insert: @escaping @Sendable () async throws -> Void) async -> (any Error)? {
        let attempts = attempts
        let firstPause = firstPause
        return await Task {
            var pause = firstPause
            for attempt in 1...max(1, attempts) {
                do {
                    try await insert()
                    return nil
                } catch MongoError.duplicateKey {
                    return nil
                } catch {
                    if attempt >= attempts || Self.isStall(error) { return error }
                    try? await Task.sleep(for: pause)
                    pause *= 2
                }
            }
            return nil
        }.value
    }

    private static func isStall(_ error: any Error) -> Bool {
        switch error as? MongoError {
        case .timeout, .serverSelection: true
        default: false
        }
    }
}
