public import Logging

/// How the process logs.
public struct LoggingConfiguration: Sendable, Equatable {
    /// The shape of a log line.
    public enum Format: String, Sendable, Equatable, CaseIterable {
        /// One JSON object per line (`JSONLogHandler`), for containers and log shippers.
        case json
        /// swift-log's human-readable `StreamLogHandler`, for a terminal.
        case text
    }

    /// The least severe level logged.
    public var level: Logger.Level
    /// The shape of a log line.
    public var format: Format

    /// Creates a logging configuration.
    /// - Parameters:
    ///   - level: The least severe level logged.
    ///   - format: JSON lines or text.
    public init(level: Logger.Level = .info, format: Format = .json) {
        self.level = level
        self.format = format
    }
}
