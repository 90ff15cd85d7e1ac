public import Logging

/// A swift-log handler that writes one JSON object per line:
/// `{"ts":"2025-01-02T03:04:05.678Z","level":"info","label":"auth","msg":"…","request.id":"…"}`.
///
/// `ts` is RFC 3339 UTC with milliseconds; then `level`, `label`, `msg`, then the metadata
/// (the handler's, the metadata provider's, then the call's, later ones winning) flattened to
/// string values in key order: a nested dictionary `{"a": {"b": "c"}}` becomes `"a.b":"c"`.
/// A metadata key that collides with `ts`, `level`, `label` or `msg` is written as
/// `metadata.<key>`. An error attached to the event is written as `error`.
///
/// A value type, as swift-log requires; safe to use from any thread (`LogLineWriter` keeps
/// lines whole).
public struct JSONLogHandler: LogHandler {
    /// The logger's label.
    public let label: String
    /// The metadata on every line of this logger.
    public var metadata: Logger.Metadata = [:]
    /// Contextual metadata added to each line.
    public var metadataProvider: Logger.MetadataProvider?
    /// The least severe level written.
    public var logLevel: Logger.Level = .info
    private let writer: LogLineWriter

    /// Creates a handler.
    /// - Parameters:
    ///   - label: The logger's label, written as `label`.
    ///   - writer: Where lines go; standard output by default.
    ///   - metadataProvider: Contextual metadata for each line.
    public init(
        label: String,
        writer: LogLineWriter = .standardOutput,
        metadataProvider: Logger.MetadataProvider? = nil
    ) {
        self.label = label
        self.writer = writer
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    /// Formats the event as one JSON line and writes it.
    public func log(event: LogEvent) {
        var merged = metadata
        if let provided = metadataProvider?.get() {
            merged.merge(provided) { _, new in new }
        }
        if let eventMetadata = event.metadata {
            merged.merge(eventMetadata) { _, new in new }
        }
        var fields: [String: String] = [:]
        for (key, value) in merged {
            Self.flatten(value, key: Self.reservedKeys.contains(key) ? "metadata.\(key)" : key, into: &fields)
        }
        if let error = event.error, fields["error"] == nil {
            fields["error"] = String(describing: error)
        }

        var line = "{"
        JSONLineFormat.appendMember("ts", JSONLineFormat.timestamp(), to: &line, first: true)
        JSONLineFormat.appendMember("level", event.level.rawValue, to: &line)
        JSONLineFormat.appendMember("label", label, to: &line)
        JSONLineFormat.appendMember("msg", event.message.description, to: &line)
        for key in fields.keys.sorted() {
            JSONLineFormat.appendMember(key, fields[key]!, to: &line)
        }
        line += "}"
        writer.write(line)
    }

    private static let reservedKeys: Set<String> = ["ts", "level", "label", "msg"]

    private static func flatten(_ value: Logger.Metadata.Value, key: String, into fields: inout [String: String]) {
        switch value {
        case .dictionary(let dictionary):
            for (childKey, childValue) in dictionary {
                flatten(childValue, key: "\(key).\(childKey)", into: &fields)
            }
        default:
            fields[key] = value.description
        }
    }
}
