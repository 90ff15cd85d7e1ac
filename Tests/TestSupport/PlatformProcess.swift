public import Foundation
import Synchronization

/// The built `event-reward` executable run as a child process, for end-to-end tests: its
/// log lines are collected, the ports its servers bound are read from the
/// `server listening` lines, and `stop()` sends SIGTERM and waits for the exit status.
///
/// A test that starts one stops it; `deinit` kills a forgotten one so no server outlives
/// its test.
public final class PlatformProcess: Sendable {
    private let process: Process
    private let captured = CapturedOutput()

    /// The `event-reward` binary next to the test bundle (`swift build` builds both).
    public static var executable: URL {
        URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent()
            .appendingPathComponent("event-reward")
    }

    /// Starts `event-reward ARGUMENTS` with `environment` added to a minimal environment
    /// (PATH and HOME only, so the developer's own variables cannot leak into a test).
    /// - Throws: `TestSupportError` when the binary is missing or cannot start.
    public init(_ arguments: [String], environment: [String: String]) throws {
        guard FileManager.default.isExecutableFile(atPath: Self.executable.path) else {
            throw TestSupportError("\(Self.executable.path) is missing: run `swift build --build-tests` first")
        }
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = arguments
        var base = ["PATH": "/usr/bin:/bin", "HOME": NSTemporaryDirectory()]
        base.merge(environment) { _, new in new }
        process.environment = base
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        process.standardInput = FileHandle.nullDevice
        let captured = captured
        self.process = process
        try launchSerialized(process)
        drainPipe(stdout.fileHandleForReading) { captured.appendOutput($0) }
        drainPipe(stderr.fileHandleForReading) { captured.appendError($0) }
    }

    deinit {
        if process.isRunning {
            process.interrupt()
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// The log lines printed so far.
    public var lines: [String] { captured.lines.withLock { $0 } }

    /// What the process wrote to standard error so far.
    public var standardError: String { captured.errors.withLock { $0 } }

    /// The operating system's process id.
    public var processIdentifier: Int32 { process.processIdentifier }

    /// Whether the process is still running.
    public var isRunning: Bool { process.isRunning }

    /// Waits until every service in `services` logged `server listening`, and returns
    /// their ports by service name.
    /// - Throws: `TestSupportError` when the process exits first or `timeout` passes.
    public func ports(of services: Set<String>, timeout: Duration = .seconds(30)) async throws -> [String: Int] {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            var found: [String: Int] = [:]
            for line in lines {
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    object["msg"] as? String == "server listening",
                    let service = object["service"] as? String,
                    let port = (object["port"] as? String).flatMap(Int.init) ?? object["port"] as? Int
                else { continue }
                found[service] = port
            }
            if services.isSubset(of: Set(found.keys)) { return found }
            if !process.isRunning {
                throw TestSupportError("event-reward exited (\(process.terminationStatus)): \(standardError)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        throw TestSupportError("event-reward did not report \(services.sorted()) listening within \(timeout)")
    }

    /// Waits for the process to exit on its own and returns its status.
    /// - Throws: `TestSupportError` when it is still running after `timeout` (it is killed).
    public func waitForExit(timeout: Duration = .seconds(30)) async throws -> Int32 {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline {
                kill(process.processIdentifier, SIGKILL)
                throw TestSupportError("event-reward did not exit within \(timeout)")
            }
            try await Task.sleep(for: .milliseconds(50))
        }
        return process.terminationStatus
    }

    /// Sends SIGTERM (graceful shutdown) and returns the exit status.
    public func stop(timeout: Duration = .seconds(30)) async throws -> Int32 {
        if process.isRunning {
            kill(process.processIdentifier, SIGTERM)
        }
        return try await waitForExit(timeout: timeout)
    }
}

/// What a child process printed, collected from its pipes' reader threads.
private final class CapturedOutput: Sendable {
    let lines = Mutex<[String]>([])
    let errors = Mutex("")
    private let partialLine = Mutex("")

    func appendOutput(_ data: Data) {
        let chunk = String(decoding: data, as: UTF8.self)
        let complete = partialLine.withLock { pending -> [String] in
            pending += chunk
            var split = pending.components(separatedBy: "\n")
            pending = split.removeLast()
            return split
        }
        lines.withLock { $0.append(contentsOf: complete) }
    }

    func appendError(_ data: Data) {
        let chunk = String(decoding: data, as: UTF8.self)
        errors.withLock { $0 += chunk }
    }
}
