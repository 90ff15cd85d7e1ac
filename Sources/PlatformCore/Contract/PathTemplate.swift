import Foundation

/// An OpenAPI path template such as `/events/{id}/claims`: literal segments and named
/// parameters, each a whole segment.
public struct PathTemplate: Sendable, Hashable, CustomStringConvertible {
    /// One segment of a template.
    public enum Segment: Sendable, Hashable {
        /// A segment that must appear as is, e.g. `events`.
        case literal(String)
        /// A segment that captures any value, e.g. `{id}` → `parameter("id")`.
        case parameter(String)
    }

    /// The template as written in the document, e.g. `/events/{id}`.
    public let template: String
    /// Its segments, empty ones (doubled or trailing slashes) left out.
    public let segments: [Segment]

    /// Parses a template.
    /// - Parameter template: e.g. `/claims/{id}`.
    /// - Throws: `ContractError` when a segment mixes literal text and a parameter, or a
    ///   parameter has no name.
    public init(_ template: String) throws(ContractError) {
        var segments: [Segment] = []
        for part in template.split(separator: "/", omittingEmptySubsequences: true) {
            if part.hasPrefix("{") && part.hasSuffix("}") {
                let name = part.dropFirst().dropLast()
                guard !name.isEmpty, !name.contains("{"), !name.contains("}") else {
                    throw ContractError(location: "paths.\(template)", reason: "a parameter segment has no name")
                }
                segments.append(.parameter(String(name)))
            } else {
                guard !part.contains("{"), !part.contains("}") else {
                    throw ContractError(
                        location: "paths.\(template)", reason: "a segment mixes literal text and a parameter")
                }
                segments.append(.literal(String(part)))
            }
        }
        self.template = template
        self.segments = segments
    }

    public var description: String { template }

    /// The path parameters when `path` (already split into raw segments) fits this
    /// template, else `nil`. Parameter values are percent-decoded.
    func match(_ path: [Substring]) -> [String: String]? {
        guard path.count == segments.count else { return nil }
        var parameters: [String: String] = [:]
        for (segment, part) in zip(segments, path) {
            switch segment {
            case .literal(let literal):
                guard part == literal else { return nil }
            case .parameter(let name):
                parameters[name] = String(part).removingPercentEncoding ?? String(part)
            }
        }
        return parameters
    }

    /// Whether this template is more specific than `other` of the same length: at the first
    /// segment where they differ in kind, a literal beats a parameter (`/claims/me` before
    /// `/claims/{id}`).
    func isMoreSpecific(than other: PathTemplate) -> Bool {
        for (mine, theirs) in zip(segments, other.segments) {
            switch (mine, theirs) {
            case (.literal, .parameter): return true
            case (.parameter, .literal): return false
            default: continue
            }
        }
        return false
    }
}
