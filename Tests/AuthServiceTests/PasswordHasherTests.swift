import HTTPTypes
import PlatformCore
import Testing

@testable import AuthService

/// The hasher refuses work it cannot start soon (503 with `Retry-After`), instead of
/// queueing logins longer than their clients wait.
@Suite struct PasswordHasherTests {
    /// Runs `count` verifications at once; returns how many answered and how many were refused.
    private func storm(_ hasher: PasswordHasher, hash: String, count: Int) async throws -> (done: Int, refused: Int) {
        try await withThrowingTaskGroup(of: Bool.self) { group in
            for _ in 0..<count {
                group.addTask {
                    do {
                        return try await hasher.verify("correct horse", against: hash)
                    } catch let error as APIError {
                        #expect(error.code == .serviceUnavailable)
                        #expect(error.headers[.retryAfter] == "1")
                        return false
                    }
                }
            }
            var done = 0
            var refused = 0
            for try await matched in group {
                if matched { done += 1 } else { refused += 1 }
            }
            return (done, refused)
        }
    }

    @Test func aFullQueueIsRefused() async throws {
        let hasher = PasswordHasher(cost: 12, threads: 1, maximumQueued: 0)
        let hash = try await hasher.hash("correct horse")
        let outcome = try await storm(hasher, hash: hash, count: 4)
        #expect(outcome.done >= 1)
        #expect(outcome.refused >= 1)
        #expect(outcome.done + outcome.refused == 4)
        await hasher.shutdown()
    }

    @Test func theExpectedWaitBoundsTheQueueBeforeItsLength() async throws {
        // Room for 100 in the queue, but no time to wait: once a hash's duration is known,
        // a request that would queue behind one is refused.
        let hasher = PasswordHasher(cost: 12, threads: 1, maximumQueued: 100, maximumWait: .zero)
        let hash = try await hasher.hash("correct horse")
        let outcome = try await storm(hasher, hash: hash, count: 4)
        #expect(outcome.done >= 1)
        #expect(outcome.refused >= 1)
        // Alone, a request is always served.
        #expect(try await hasher.verify("correct horse", against: hash))
        await hasher.shutdown()
    }
}
