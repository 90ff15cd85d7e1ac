/// One named dependency that `GET /health/ready` checks, such as `mongodb`.
public struct ReadinessCheck: Sendable {
    /// The outcome of one check, as reported in the readiness response.
    public enum State: String, Sendable, Equatable {
        /// The check returned.
        case up
        /// The check threw.
        case down
        /// The check did not finish within its timeout.
        case timeout
    }

    /// The name in the report, e.g. `mongodb`.
    public var name: String
    /// How long the check may take before it counts as `timeout`.
    public var timeout: Duration
    /// The check: returns when the dependency is usable, throws when it is not.
    public var check: @Sendable () async throws -> Void

    /// Creates a check.
    /// - Parameters:
    ///   - name: The name in the report.
    ///   - timeout: How long it may take; 2 s by default.
    ///   - check: Returns when the dependency is usable, throws when it is not. It is
    ///     cancelled at the timeout.
    public init(name: String, timeout: Duration = .seconds(2), check: @escaping @Sendable () async throws -> Void) {
        self.name = name
        self.timeout = timeout
        self.check = check
    }

    /// Runs the check against its timeout.
    ///
    /// On timeout the check's task is cancelled, but structured concurrency still waits for
    /// it to return: a check blocked in non-cancellable work (a libmongoc call already on
    /// the thread pool) ends when that work does — for MongoDB, within the pool's
    /// server-selection timeout — and is then reported as `timeout`.
    /// - Returns: The state and, for `down`, the error.
    func run() async -> (State, (any Error)?) {
        let check = self.check
        let timeout = self.timeout
        return await withTaskGroup(of: (State, (any Error)?).self) { group in
            group.addTask {
                do {
                    try await check()
                    return (.up, nil)
                } catch {
                    return (.down, error)
                }
            }
            group.addTask {
                try? await Task.sleep(for: timeout)
                return (.timeout, nil)
            }
            let first = await group.next() ?? (.timeout, nil)
            group.cancelAll()
            return first
        }
    }
}
