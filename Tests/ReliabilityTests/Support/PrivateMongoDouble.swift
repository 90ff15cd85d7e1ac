import Foundation
import Synchronization
import TestSupport

#if canImport(Glibc)
    import Glibc
#endif

/// A MongoDB test double of one drill's own (`scripts/mongo-double 0 --exit-on-stdin-eof`),
/// so the drill can pause it (SIGSTOP) without stalling every other test's database.
///
/// The script `exec`s the Python server, so the process id is the server's own. The pipe on
/// its stdin stays open while this value lives: the double exits when the test process
/// does, however that happens. `stop()` ends it explicitly (SIGKILL, which also ends a
/// paused double).
final class PrivateMongoDouble: Sendable {
    /// `mongodb://127.0.0.1:<port>/?appname=drill`.
    let uri: String
    /// The double's process id.
    let processIdentifier: Int32
    private let process: Process
    private let stdin: Pipe

    /// Starts the double and waits for its `listening on HOST:PORT` line.
    /// - Throws: `TestSupportError` when it exits first or says nothing within `timeout`.
    init(timeout: Duration = .seconds(120)) async throws {
        let script = MongoTestEndpoint.repositoryRoot.appendingPathComponent("scripts/mongo-double").path
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [script, "0", "--exit-on-stdin-eof"]
        let stdin = Pipe()
        let stdout = Pipe()
        process.standardInput = stdin
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try launchSerialized(process)
        self.process = process
        self.stdin = stdin
        processIdentifier = process.processIdentifier
        guard let port = try await Self.listeningPort(stdout.fileHandleForReading, process: process, timeout: timeout)
        else {
            kill(process.processIdentifier, SIGKILL)
            throw TestSupportError("the private mongo-double did not start listening")
        }
        uri = "mongodb://127.0.0.1:\(port)/?appname=drill"
    }

    deinit {
        if process.isRunning {
            kill(process.processIdentifier, SIGCONT)
            kill(process.processIdentifier, SIGKILL)
        }
    }

    /// Pauses the double: the kernel still accepts connections, nothing answers.
    func pause() { kill(processIdentifier, SIGSTOP) }

    /// Lets a paused double run again.
    func resume() { kill(processIdentifier, SIGCONT) }

    /// Kills the double (its data lives in memory only and is not needed afterwards) and
    /// waits, bounded, until it is gone. SIGKILL because the double's graceful SIGTERM path
    /// waits for its connection handlers and took 10 s after a stall.
    func stop() async {
        guard process.isRunning else { return }
        kill(processIdentifier, SIGKILL)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning && ContinuousClock.now < deadline {
            try? await Task.sleep(for: .milliseconds(20))
        }
    }

    /// The port from the `mongo-double listening on 127.0.0.1:PORT` line; `nil` when the
    /// process ends or `timeout` passes first.
    private static func listeningPort(_ handle: FileHandle, process: Process, timeout: Duration) async throws -> Int? {
        let output = Mutex("")
        handle.readabilityHandler = { handle in
            let chunk = handle.availableData
            if chunk.isEmpty {
                handle.readabilityHandler = nil
                return
            }
            output.withLock { $0 += String(decoding: chunk, as: UTF8.self) }
        }
        defer { handle.readabilityHandler = nil }
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            let text = output.withLock { $0 }
            if let line = text.split(separator: "\n").first(where: { $0.contains("listening on") }),
                let port = line.split(separator: ":").last.flatMap({ Int($0) })
            {
                return port
            }
            if !process.isRunning { return nil }
            try await Task.sleep(for: .milliseconds(50))
        }
        return nil
    }
}
