public import HTTPTypes

/// The routes of the OpenAPI document: which operation a request (method, path) is, or
/// why it is none. Built once from `APIContract.operations` (or any subset), then read
/// concurrently.
///
/// Matching follows OpenAPI: a literal segment wins over a parameter (`GET /claims/me` is
/// `listMyClaims`, not `getClaim` with id `me`); among templates of equal shape the first
/// in the document wins. A path that fits some template but not with this method is
/// `methodNotAllowed` with the methods that template has. Empty segments (`//`, a trailing
/// `/`) are ignored; a `.` or `..` segment never matches, so a path cannot be read
/// differently by the gateway and an upstream.
public struct RouteTable: Sendable {
    /// The outcome of matching one request.
    public enum Match: Sendable, Equatable {
        /// The request is `operation`, with these decoded path parameters.
        case matched(ContractOperation, pathParameters: [String: String])
        /// The path is `path`, which has only the `allowed` methods.
        case methodNotAllowed(path: PathTemplate, allowed: [HTTPRequest.Method])
        /// No template fits the path.
        case notFound
    }

    /// One path template with the operations on it, by method.
    private struct Entry: Sendable {
        let path: PathTemplate
        var operations: [HTTPRequest.Method: ContractOperation]
        var methods: [HTTPRequest.Method]
    }

    /// The operations, in document order.
    public let operations: [ContractOperation]
    /// Entries by segment count, most specific first.
    private let entriesBySegmentCount: [Int: [Entry]]

    /// Builds the table.
    /// - Parameter operations: The operations to route (e.g. all but the `x-internal` ones).
    public init(operations: [ContractOperation]) {
        self.operations = operations
        var entries: [Entry] = []
        var indexByTemplate: [[PathTemplate.Segment]: Int] = [:]
        for operation in operations {
            if let index = indexByTemplate[operation.path.segments] {
                if entries[index].operations[operation.method] == nil {
                    entries[index].operations[operation.method] = operation
                    entries[index].methods.append(operation.method)
                }
            } else {
                indexByTemplate[operation.path.segments] = entries.count
                entries.append(
                    Entry(path: operation.path, operations: [operation.method: operation], methods: [operation.method]))
            }
        }
        var grouped: [Int: [Entry]] = [:]
        for entry in entries {
            grouped[entry.path.segments.count, default: []].append(entry)
        }
        // A stable insertion sort: most specific first, document order among equals.
        for (count, group) in grouped {
            var sorted: [Entry] = []
            for entry in group {
                let position = sorted.firstIndex { entry.path.isMoreSpecific(than: $0.path) } ?? sorted.endIndex
                sorted.insert(entry, at: position)
            }
            grouped[count] = sorted
        }
        entriesBySegmentCount = grouped
    }

    /// Matches a request.
    /// - Parameters:
    ///   - method: The request's method.
    ///   - path: The request's path as received (percent-encoded); a query string after
    ///     `?` is ignored.
    /// - Returns: The operation and its path parameters, the allowed methods, or not found.
    public func match(method: HTTPRequest.Method, path: String) -> Match {
        let pathOnly = path[..<(path.utf8.firstIndex(of: UInt8(ascii: "?")) ?? path.endIndex)]
        let parts = pathOnly.split(separator: "/", omittingEmptySubsequences: true)
        if parts.contains(where: { $0 == "." || $0 == ".." }) { return .notFound }
        guard let candidates = entriesBySegmentCount[parts.count] else { return .notFound }
        for entry in candidates {
            guard let parameters = entry.path.match(parts) else { continue }
            if let operation = entry.operations[method] {
                return .matched(operation, pathParameters: parameters)
            }
            return .methodNotAllowed(path: entry.path, allowed: entry.methods)
        }
        return .notFound
    }

    /// The operations each service implements (`service` → operation ids), from
    /// `x-service-tags`; `platform` operations are left out.
    public var operationIDsByService: [String: Set<String>] {
        var result: [String: Set<String>] = [:]
        for operation in operations {
            guard let service = operation.service else { continue }
            result[service, default: []].insert(operation.operationID)
        }
        return result
    }
}
