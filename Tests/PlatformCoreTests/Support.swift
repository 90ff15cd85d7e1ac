import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import NIOCore
import PlatformCore
import Synchronization
import Testing

/// Lines written by a `JSONLogHandler`, captured for assertions.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var writer: LogLineWriter {
        LogLineWriter { [self] line in lines.withLock { $0.append(line) } }
    }

    var captured: [String] { lines.withLock { $0 } }

    /// A logger whose lines land here.
    func logger(label: String = "test", level: Logger.Level = .trace) -> Logger {
        let writer = self.writer
        var logger = Logger(label: label) { JSONLogHandler(label: $0, writer: writer) }
        logger.logLevel = level
        return logger
    }

    /// Every captured line parsed as a JSON object of strings.
    /// - Throws: when a line is not exactly one JSON object with string values.
    func objects() throws -> [[String: String]] {
        try captured.map { line in
            try JSONDecoder().decode([String: String].self, from: Data(line.utf8))
        }
    }
}

/// A value that is set once from a `@Sendable` callback and read later.
final class Box<Value: Sendable>: Sendable {
    private let value: Mutex<Value>
    init(_ value: Value) { self.value = Mutex(value) }
    func set(_ newValue: Value) { value.withLock { $0 = newValue } }
    func get() -> Value { value.withLock { $0 } }
}

extension TestResponse {
    /// The body decoded as the error envelope.
    func envelope() throws -> ErrorEnvelope.Body {
        let envelope = try JSONDecoder().decode(ErrorEnvelope.self, from: Data(body.readableBytesView))
        return envelope.error
    }

    /// The body as text.
    var text: String { String(buffer: body) }
}

/// An application over `router`, silent unless given a logger, for `.router` tests.
func testApplication(
    _ router: Router<PlatformRequestContext>,
    logger: Logger = Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
) -> some ApplicationProtocol {
    Application(
        platformRouter: router,
        http: HTTPServerConfiguration(port: 0),
        logger: logger,
        onServerRunning: { _ in }
    )
}
