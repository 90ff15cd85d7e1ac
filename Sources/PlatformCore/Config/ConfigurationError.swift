/// A configuration value that cannot be used, naming the environment variable it came from.
///
/// The description is one line, e.g. `GATEWAY_PORT: expected a port number 0…65535, got "abc"`;
/// the value is quoted only for variables that cannot hold secrets.
public struct ConfigurationError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The environment variable at fault, e.g. `GATEWAY_PORT`.
    public let variable: String
    /// What is wrong with it.
    public let reason: String

    /// Creates a configuration error.
    /// - Parameters:
    ///   - variable: The environment variable at fault.
    ///   - reason: What is wrong with it, one line.
    public init(variable: String, reason: String) {
        self.variable = variable
        self.reason = reason
    }

    public var description: String { "\(variable): \(reason)" }
}
