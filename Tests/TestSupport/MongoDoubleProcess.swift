import Foundation

/// The project's MongoDB test double (`scripts/mongo-double 0 --exit-on-stdin-eof`) as a
/// child process on a free loopback port.
///
/// The script `exec`s the Python server, so the process id is the server's own. The pipe on
/// its stdin stays open while this value lives: the double exits when the test process
/// does, however that happens. A drill can pause it (SIGSTOP) to stall its database.
public final class MongoDoubleProcess: Sendable {
    /// `mongodb://127.0.0.1:<port>/?appname=<appName>`.
    public let uri: String
    /// The double's process id.
    public let processIdentifier: Int32
    private let process: Process
    private let stdin: Pipe

    /// Starts a double and waits for its `listening on HOST:PORT` line (the first start may
    /// install the double's venv, so this can take minutes).
    /// - Parameters:
    ///   - appName: The `appname` of the returned URI (it shows in the double's log).
    ///   - showsErrors: Whether the double's standard error goes to the test's.
    /// - Throws: `TestSupportError` when it exits before listening.
    public init(appName: String = "tests", showsErrors: Bool = true) async throws {
        let script = MongoTestEndpoint.repositoryRoot.appendingPathComponent("scripts/mongo-double").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "0", "--exit-on-stdin-eof"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        if !showsErrors { process.standardError = FileHandle.nullDevice }
        try launchSerialized(process)
        self.process = process
        self.stdin = stdin
        processIdentifier = process.processIdentifier
        let line: String
        do {
            line = try await Self.readListeningLine(from: stdout.fileHandleForReading)
        } catch {
            kill(process.processIdentifier, SIGKILL)
            throw error
        }
        guard let port = line.split(separator: ":").last.flatMap({ Int($0) }) else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSupportError("mongo-double printed an unexpected line: \(line)")
        }
        uri = "mongodb://127.0.0.1:\(port)/?appname=\(appName)"
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Pauses the double: the kernel still accepts connections, nothing answers.
    public func pause() { kill(processIdentifier, SIGSTOP) }

    /// Lets a paused double run again.
    public func resume() { kill(processIdentifier, SIGCONT) }

    /// Kills the double (its data lives in memory only) and waits, bounded, until it is
    /// gone. SIGKILL because the double's graceful SIGTERM path waits for its connection
    /// handlers, which took 10 s after a stall.
    public func stop() async {
        guard process.isRunning else { return }
        kill(processIdentifier, SIGCONT)
        kill(processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// Reads stdout with blocking reads on a thread of its own (not a `readabilityHandler`,
    /// whose dispatch source races its teardown on Linux) until the `listening on` line.
    private static func readListeningLine(from handle: FileHandle) async throws -> String {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread {
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
