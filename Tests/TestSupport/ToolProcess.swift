public import Foundation
import Synchronization

/// Runs a helper program (a Python script, a shell tool) to completion for a test.
public enum ToolProcess {
    /// What a finished program printed and how it exited.
    public struct Outcome: Sendable {
        public var status: Int32
        public var output: String
    }

    /// Runs `executable arguments` with the test process's environment plus `environment`,
    /// and returns its exit status and its standard output and error together.
    /// - Throws: `TestSupportError` when it cannot start or runs past `timeout` (it is killed).
    public static func run(
        _ executable: URL, _ arguments: [String], environment: [String: String] = [:],
        timeout: Duration = .seconds(120)
    ) async throws -> Outcome {
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        process.environment = ProcessInfo.processInfo.environment.merging(environment) { _, new in new }
        let output = Pipe()
        process.standardOutput = output
        process.standardError = output
        process.standardInput = FileHandle.nullDevice
        let collected = CapturedBytes()
        try launchSerialized(process)
        drainPipe(output.fileHandleForReading, into: collected.append, finished: collected.finish)
        let deadline = ContinuousClock.now + timeout
        while process.isRunning || !collected.isFinished {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError("\(executable.lastPathComponent) ran past \(timeout): \(collected.text)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return Outcome(status: process.terminationStatus, output: collected.text)
    }

    /// The Python of the MongoDB double's virtual environment (it has pymongo), created by
    /// `scripts/mongo-double --setup`.
    public static var doublePython: URL {
        MongoTestEndpoint.repositoryRoot.appendingPathComponent(".venv-double/bin/python")
    }
}

/// Bytes collected from a pipe's reader thread, and whether it reached the end.
private final class CapturedBytes: Sendable {
    private let bytes = Mutex(Data())
    private let finished = Mutex(false)

    func append(_ data: Data) { bytes.withLock { $0.append(data) } }

    func finish() { finished.withLock { $0 = true } }

    var isFinished: Bool { finished.withLock { $0 } }

    var text: String { bytes.withLock { String(decoding: $0, as: UTF8.self) } }
}
