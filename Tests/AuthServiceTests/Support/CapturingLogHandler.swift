import Logging
import Synchronization

/// A log handler that keeps every line (message, metadata, source) in memory, at trace
/// level, for tests that read what was logged.
struct CapturingLogHandler: LogHandler {
    /// The lines of every logger made from one store.
    final class Store: Sendable {
        private let captured = Mutex<[String]>([])

        var lines: [String] { captured.withLock { $0 } }

        func append(_ line: String) { captured.withLock { $0.append(line) } }

        /// A logger at trace level writing here.
        func logger(_ label: String) -> Logger {
            var logger = Logger(label: label) { label in CapturingLogHandler(label: label, store: self) }
            logger.logLevel = .trace
            return logger
        }
    }

    let label: String
    let store: Store
    var metadata: Logger.Metadata = [:]
    var logLevel: Logger.Level = .trace

    subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    func log(event: LogEvent) {
        var all = metadata
        all.merge(event.metadata ?? [:]) { _, new in new }
        let rendered = all.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }.joined(separator: " ")
        store.append("\(event.level) \(label) \(event.message) \(rendered) source=\(event.source)")
    }
}
