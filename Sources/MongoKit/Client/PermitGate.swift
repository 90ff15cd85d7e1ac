import NIOCore
import NIOPosix
import Synchronization

/// An async counting semaphore. Each permit stands for one `mongoc_client_t` of the pool,
/// so a thread that pops a client never blocks: waiting happens here, in async code.
///
/// Waiters are served first come, first served. A wait may be bounded: a waiter not served
/// within its limit is dropped from the queue and told so (`PermitGate.TimedOut`), and a
/// cancelled task stops waiting with `CancellationError`; neither takes a permit with it.
final class PermitGate: Sendable {
    /// A bounded wait ended without a permit.
    struct TimedOut: Error {}

    private struct Waiter {
        let id: UInt64
        let continuation: CheckedContinuation<Void, any Error>
        /// Ends the wait at its limit; set once the waiter is queued.
        var timer: Scheduled<Void>?
    }

    private struct State {
        var available: Int
        var waiters: [Waiter] = []
        var nextID: UInt64 = 0
    }

    private let state: Mutex<State>

    init(permits: Int) {
        state = Mutex(State(available: permits))
    }

    /// Waits for a permit as long as it takes, cancelled or not (closing the pool must
    /// collect every permit before it frees the clients).
    func acquireUncancellably() async {
        if takeAtOnce() { return }
        let id = nextWaiterID()
        // Without a limit and without cancellation nothing but a permit ends this wait.
        try? await wait(id, limit: nil, cancellable: false)
    }

    /// Waits for a permit for at most `limit` (`nil`: no limit).
    /// - Throws: `TimedOut` when the limit passes first; `CancellationError` when the task
    ///   is cancelled while waiting.
    func acquire(within limit: Duration?) async throws {
        // The common case takes no timer and no continuation.
        if takeAtOnce() { return }
        let id = nextWaiterID()
        try await withTaskCancellationHandler {
            try await wait(id, limit: limit, cancellable: true)
        } onCancel: {
            giveUp(id, with: CancellationError())
        }
    }

    /// Permits free right now (none is free while anyone waits).
    var availablePermits: Int {
        state.withLock { $0.available }
    }

    private func takeAtOnce() -> Bool {
        state.withLock { state in
            guard state.available > 0, state.waiters.isEmpty else { return false }
            state.available -= 1
            return true
        }
    }

    private func nextWaiterID() -> UInt64 {
        state.withLock { state in
            defer { state.nextID &+= 1 }
            return state.nextID
        }
    }

    private func wait(_ id: UInt64, limit: Duration?, cancellable: Bool) async throws {
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            // Cancellation sets the task's flag before it runs `onCancel`, and `giveUp`
            // takes this lock: a cancel is either seen here or finds the waiter queued.
            let outcome = state.withLock { state -> Result<Bool, CancellationError> in
                if cancellable, Task.isCancelled { return .failure(CancellationError()) }
                if state.available > 0, state.waiters.isEmpty {
                    state.available -= 1
                    return .success(true)
                }
                state.waiters.append(Waiter(id: id, continuation: continuation, timer: nil))
                return .success(false)
            }
            switch outcome {
            case .success(true):
                continuation.resume()
            case .success(false):
                // The timer starts once the waiter is queued, so it always finds it (or
                // finds it served, and does nothing).
                if let limit { startTimer(for: id, limit: limit) }
            case .failure(let error):
                continuation.resume(throwing: error)
            }
        }
    }

    private func startTimer(for id: UInt64, limit: Duration) {
        let timer = MultiThreadedEventLoopGroup.singleton.any().scheduleTask(in: .nanoseconds(limit.nanoseconds)) {
            [self] in self.giveUp(id, with: TimedOut())
        }
        let stillWaiting = state.withLock { state in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return false }
            state.waiters[index].timer = timer
            return true
        }
        if !stillWaiting { timer.cancel() }
    }

    /// Returns a permit, handing it straight to the longest waiter if there is one.
    func release() {
        let waiter = state.withLock { state -> Waiter? in
            if state.waiters.isEmpty {
                state.available += 1
                return nil
            }
            return state.waiters.removeFirst()
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume()
        }
    }

    /// Ends waiter `id`'s wait with `error` if it is still queued (it may have been served
    /// already; a cancellation before it queued is seen when it queues).
    private func giveUp(_ id: UInt64, with error: any Error) {
        let waiter = state.withLock { state -> Waiter? in
            guard let index = state.waiters.firstIndex(where: { $0.id == id }) else { return nil }
            return state.waiters.remove(at: index)
        }
        if let waiter {
            waiter.timer?.cancel()
            waiter.continuation.resume(throwing: error)
        }
    }
}

extension Duration {
    /// Whole nanoseconds, saturating.
    fileprivate var nanoseconds: Int64 {
        let (seconds, attoseconds) = components
        let (product, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        return overflow ? .max : product &+ attoseconds / 1_000_000_000
    }
}
