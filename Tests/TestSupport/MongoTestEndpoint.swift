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

    private var start: Task<String, any Error>?
    private var process: Process?
    private var stdinPipe: Pipe?

    func uri() async throws -> String {
        if let start { return try await start.value }
        let start = Task { try await self.launch() }
        self.start = start
        return try await start.value
    }

    private func launch() async throws -> String {
        let script = MongoTestEndpoint.repositoryRoot.appendingPathComponent("scripts/mongo-double").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "0", "--exit-on-stdin-eof"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        try processLaunchLock.withLock { _ in try process.run() }
        self.process = process
        self.stdinPipe = stdin  // kept open for the life of the test process

        let line = try await Self.readListeningLine(from: stdout.fileHandleForReading)
        guard let portText = line.split(separator: ":").last, let port = Int(portText) else {
            throw TestSupportError("mongo-double printed an unexpected line: \(line)")
        }
        return "mongodb://127.0.0.1:\(port)/?appname=tests"
    }

    /// Reads stdout until the `mongo-double listening on HOST:PORT` line (the first start
    /// may install the double's venv, so it gets minutes, not seconds).
    private static func readListeningLine(from handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async {
                var buffer = Data()
                while true {
                    let chunk = handle.availableData
                    if chunk.isEmpty {
                        continuation.resume(throwing: TestSupportError("mongo-double exited before listening"))
                        return
                    }
                    buffer.append(chunk)
                    let text = String(decoding: buffer, as: UTF8.self)
                    if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }) {
                        continuation.resume(returning: String(line))
                        return
                    }
                }
            }
        }
    }
}
