import Logging

/// Reads typed values out of an environment dictionary; every failure names its variable.
/// An unset or blank variable takes its default.
struct EnvironmentReader {
    let environment: [String: String]

    /// The trimmed value of `name`, or `nil` when unset or blank.
    func raw(_ name: String) -> String? {
        guard let value = environment[name]?.trimmingSpaces, !value.isEmpty else { return nil }
        return value
    }

    func string(_ name: String, default defaultValue: String) -> String {
        raw(name) ?? defaultValue
    }

    func integer(
        _ name: String, default defaultValue: Int, in range: ClosedRange<Int>, expected: String
    ) throws(ConfigurationError) -> Int {
        guard let value = raw(name) else { return defaultValue }
        guard let number = Int(value), range.contains(number) else {
            throw ConfigurationError(variable: name, reason: "expected \(expected), got \(Self.quoted(value))")
        }
        return number
    }

    func port(_ name: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        try integer(name, default: defaultValue, in: 0...65535, expected: "a port number 0…65535")
    }

    func milliseconds(_ name: String, default defaultValue: Int) throws(ConfigurationError) -> Duration {
        .milliseconds(
            try integer(
                name, default: defaultValue, in: 1...Int(Int32.max), expected: "a positive number of milliseconds")
        )
    }

    func host(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let value = string(name, default: defaultValue)
        guard !value.contains(where: { $0 == " " || $0 == "/" || $0.isNewline }) else {
            throw ConfigurationError(
                variable: name, reason: "expected a host name or IP address, got \(Self.quoted(value))")
        }
        return value
    }

    func logLevel(_ name: String, default defaultValue: Logger.Level) throws(ConfigurationError) -> Logger.Level {
        guard let value = raw(name) else { return defaultValue }
        guard let level = Logger.Level(value) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: "|")
            throw ConfigurationError(variable: name, reason: "expected one of \(names), got \(Self.quoted(value))")
        }
        return level
    }

    func logFormat(
        _ name: String, default defaultValue: LoggingConfiguration.Format
    ) throws(ConfigurationError) -> LoggingConfiguration.Format {
        guard let value = raw(name) else { return defaultValue }
        guard let format = LoggingConfiguration.Format(rawValue: value.lowercased()) else {
            let names = LoggingConfiguration.Format.allCases.map(\.rawValue).joined(separator: "|")
            throw ConfigurationError(variable: name, reason: "expected one of \(names), got \(Self.quoted(value))")
        }
        return format
    }

    /// `true` or `false` (any case).
    func boolean(_ name: String, default defaultValue: Bool) throws(ConfigurationError) -> Bool {
        guard let value = raw(name) else { return defaultValue }
        switch value.lowercased() {
        case "true": return true
        case "false": return false
        default: throw ConfigurationError(variable: name, reason: "expected true or false, got \(Self.quoted(value))")
        }
    }

    /// An `http(s)://host[:port][/path]` base URL, returned without a trailing slash.
    func httpURL(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        var value = string(name, default: defaultValue)
        let lowercased = value.lowercased()
        let scheme = ["http://", "https://"].first { lowercased.hasPrefix($0) }
        guard let scheme, value.count > scheme.count, !value.contains(where: { $0 == " " || $0.isNewline }) else {
            throw ConfigurationError(
                variable: name, reason: "expected an http:// or https:// URL, got \(Self.quoted(value))")
        }
        while value.hasSuffix("/") { value.removeLast() }
        return value
    }

    /// A MongoDB connection string. Only its scheme is checked here (libmongoc parses the
    /// rest when the pool is created); the value is never echoed, as it may hold a password.
    func mongoURI(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let value = string(name, default: defaultValue)
        guard value.hasPrefix("mongodb://") || value.hasPrefix("mongodb+srv://") else {
            throw ConfigurationError(
                variable: name, reason: "expected a mongodb:// or mongodb+srv:// connection string")
        }
        return value
    }

    /// A database name MongoDB accepts: 1–63 bytes, none of `/\. "$` or NUL.
    func databaseName(_ name: String, default defaultValue: String) throws(ConfigurationError) -> String {
        let value = string(name, default: defaultValue)
        let forbidden: Set<Character> = ["/", "\\", ".", " ", "\"", "$", "\0"]
        guard value.utf8.count < 64, !value.contains(where: { forbidden.contains($0) }) else {
            throw ConfigurationError(
                variable: name,
                reason: "expected a MongoDB database name (under 64 bytes, none of /\\. \"$), got \(Self.quoted(value))"
            )
        }
        return value
    }

    /// The value in quotes, cut to 64 characters so a pasted blob cannot flood the message.
    static func quoted(_ value: String) -> String {
        let cut = value.count > 64 ? String(value.prefix(64)) + "…" : value
        return String(reflecting: cut)
    }
}

extension String {
    fileprivate var trimmingSpaces: String {
        var slice = Substring(self)
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
