import Logging

/// The process's logging setup; the CLI calls `bootstrap(_:)` once, before creating any
/// logger.
public enum PlatformLogging {
    /// Installs the log handler for the whole process: `JSONLogHandler` on standard output
    /// for `.json`, swift-log's `StreamLogHandler` on standard output for `.text`, each at
    /// `configuration.level`.
    ///
    /// swift-log allows one bootstrap per process; a second call traps. Tests therefore build
    /// handlers directly (`Logger(label:factory:)`) rather than calling this.
    /// - Parameter configuration: Level and format.
    public static func bootstrap(_ configuration: LoggingConfiguration) {
        let level = configuration.level
        switch configuration.format {
        case .json:
            LoggingSystem.bootstrap { label in
                var handler = JSONLogHandler(label: label)
                handler.logLevel = level
                return handler
            }
        case .text:
            LoggingSystem.bootstrap { label in
                var handler = StreamLogHandler.standardOutput(label: label)
                handler.logLevel = level
                return handler
            }
        }
    }
}
