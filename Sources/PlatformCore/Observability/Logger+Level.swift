public import Logging

extension Logger {
    /// A logger from the bootstrapped logging system, at `level`.
    /// - Parameters:
    ///   - label: The logger's label, e.g. the service name.
    ///   - level: The least severe level it logs.
    public init(label: String, level: Logger.Level) {
        self.init(label: label)
        logLevel = level
    }
}
