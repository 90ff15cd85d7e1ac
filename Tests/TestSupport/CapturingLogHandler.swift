public import Logging
import Synchronization

/// A log handler that keeps every record (level, label, message, metadata, source) in
/// memory, at trace level, for tests that read what was logged.
public struct CapturingLogHandler: LogHandler {
    /// One logged event, with the logger's metadata merged into the event's.
    public struct Record: Sendable {
        public var level: Logger.Level
        public var label: String
        public var message: String
        public var metadata: Logger.Metadata
        public var source: String
    }

    /// The records of every logger made from one store.
    public final class Store: Sendable {
        private let captured = Mutex<[Record]>([])

        public init() {}

        /// Every record, in order.
        public var records: [Record] { captured.withLock { $0 } }

        /// Every record as one line: level, label, message, sorted metadata and source.
        public var lines: [String] {
            records.map { record in
                let rendered = record.metadata.sorted { $0.key < $1.key }.map { "\($0.key)=\($0.value)" }
                    .joined(separator: " ")
                return "\(record.level) \(record.label) \(record.message) \(rendered) source=\(record.source)"
            }
        }

        func append(_ record: Record) { captured.withLock { $0.append(record) } }

        /// A logger at trace level writing here.
        public func logger(_ label: String) -> Logger {
            var logger = Logger(label: label) { label in CapturingLogHandler(label: label, store: self) }
            logger.logLevel = .trace
            return logger
        }
    }

    let label: String
    let store: Store
    public var metadata: Logger.Metadata = [:]
    public var logLevel: Logger.Level = .trace

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        var all = metadata
        all.merge(event.metadata ?? [:]) { _, new in new }
        store.append(
            Record(
                level: event.level, label: label, message: event.message.description, metadata: all,
                source: event.source))
    }
}
