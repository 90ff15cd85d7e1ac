public import Foundation
import MongoKit
import Synchronization

/// Where integration tests find MongoDB: `MONGODB_URI` when set (a real server), otherwise
/// the project's test double, started once per test process on a free loopback port.
///
/// The double is spawned with `--exit-on-stdin-eof` and a pipe on its stdin, so it stops
/// when the test process that started it exits, however that happens.
public enum MongoTestEndpoint {
    /// The connection string for this test process.
    /// - Throws: `TestSupportError` when the double cannot be started.
    public static func uri() async throws -> String {
        if let configured = ProcessInfo.processInfo.environment["MONGODB_URI"], !configured.isEmpty {
            return configured
        }
        return try await TestDouble.shared.uri()
    }

    /// Whether tests run against the double (and may use its command log).
    public static var usesDouble: Bool {
        (ProcessInfo.processInfo.environment["MONGODB_URI"] ?? "").isEmpty
    }

    /// The repository root, found from this file's location.
    public static var repositoryRoot: URL {
        URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // TestSupport
            .deletingLastPathComponent()  // Tests
            .deletingLastPathComponent()
    }
}

/// A failure of the test plumbing itself (not of the code under test).
public struct TestSupportError: Error, CustomStringConvertible {
    public let description: String

    public init(_ description: String) {
        self.description = description
    }
}

/// The process-wide double: started on first use, reused by every test.
///
/// Callers that arrive while the first start is still under way await that same start:
/// the actor is re-entered at every `await`, so checking a finished URI alone would let
/// concurrent first callers each spawn a double of their own (and see different data).
actor TestDouble {
    static let shared = TestDouble()

    /// The first start; kept (with the double it started) for the life of the test process.
    private var start: Task<MongoDoubleProcess, any Error>?

    func uri() async throws -> String {
        if let start { return try await start.value.uri }
        let start = Task { try await MongoDoubleProcess() }
        self.start = start
        return try await start.value.uri
    }
}
