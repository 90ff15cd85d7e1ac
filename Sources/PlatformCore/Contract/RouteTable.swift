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
        /// Each method's operation as its index in `RouteTable.operations`, in document
        /// order (a few entries, scanned: no hashing on the hot path).
        var indices: [(method: HTTPRequest.Method, index: Int)]
        /// The literal segments' bytes back to back, for matching raw targets...
        let literalBytes: [UInt8]
        /// ...and where each segment's literal lies in them (`nil` for a parameter).
        let literalRanges: [Range<Int>?]
        /// The lengths of the first eight segments' literals (`lengthSignature(_:at:)`), and the
        /// bytes of it that are literals': a target whose own signature differs there cannot
        /// fit, which one comparison tells.
        let literalLengths: UInt64
        let literalLengthMask: UInt64

        init(path: PathTemplate, indices: [(method: HTTPRequest.Method, index: Int)]) {
            self.path = path
            self.indices = indices
            var bytes: [UInt8] = []
            literalRanges = path.segments.map { segment in
                guard case .literal(let literal) = segment else { return nil }
                let start = bytes.count
                bytes.append(contentsOf: literal.utf8)
                return start..<bytes.count
            }
            literalBytes = bytes
            var lengths: UInt64 = 0
            var mask: UInt64 = 0
            for (position, literal) in literalRanges.prefix(8).enumerated() {
                guard let literal else { continue }
                lengths |= RouteTable.lengthSignature(literal.count, at: position)
                mask |= 0xFF << (8 * position)
            }
            literalLengths = lengths
            literalLengthMask = mask
        }

        var methods: [HTTPRequest.Method] { indices.map(\.method) }

        func index(of method: HTTPRequest.Method) -> Int? {
            indices.first { $0.method == method }?.index
        }

        /// Whether the raw segments `parts` of `bytes` fit the template: each literal segment
        /// byte for byte (the same as `PathTemplate.match(_:)` for ASCII paths).
        /// - Parameter lengths: The signature of the parts' lengths (`lengthSignature(_:at:)`).
        func fits(
            _ bytes: UnsafeRawBufferPointer, segments parts: UnsafeBufferPointer<Range<Int>>, lengths: UInt64
        ) -> Bool {
            guard parts.count == literalRanges.count, lengths & literalLengthMask == literalLengths else {
                return false
            }
            return literalBytes.withUnsafeBytes { literals in
                for (literal, part) in zip(literalRanges, parts) {
                    guard let literal else { continue }
                    guard literal.count == part.count else { return false }
                    for offset in 0..<part.count
                    where literals[literal.lowerBound + offset] != bytes[part.lowerBound + offset] {
                        return false
                    }
                }
                return true
            }
        }
    }

    /// The operations, in document order.
    public let operations: [ContractOperation]
    /// Entries by segment count (the array's index), most specific first.
    private let entriesBySegmentCount: [[Entry]]
    /// The same, for the byte-level match, in buckets by segment count and then by the first
    /// byte of the path's first segment (below 128): a template whose first segment is a
    /// parameter is in every bucket of its count, one with a literal only in its literal's.
    /// The buckets lie back to back in `bucketedEntries`; bucket `count * 128 + byte` is
    /// `bucketedEntries[bucketBounds[b]..<bucketBounds[b + 1]]` (one flat array: no inner
    /// array to retain on a request's path).
    private let bucketedEntries: [Entry]
    private let bucketBounds: [Int]
    /// The most segments any template has.
    private let longestTemplate: Int

    /// Builds the table.
    /// - Parameter operations: The operations to route (e.g. all but the `x-internal` ones).
    public init(operations: [ContractOperation]) {
        self.operations = operations
        var entries: [Entry] = []
        var indexByTemplate: [[PathTemplate.Segment]: Int] = [:]
        for (position, operation) in operations.enumerated() {
            if let index = indexByTemplate[operation.path.segments] {
                if entries[index].index(of: operation.method) == nil {
                    entries[index].indices.append((operation.method, position))
                }
            } else {
                indexByTemplate[operation.path.segments] = entries.count
                entries.append(Entry(path: operation.path, indices: [(operation.method, position)]))
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
        longestTemplate = grouped.keys.max() ?? 0
        entriesBySegmentCount = (0...longestTemplate).map { grouped[$0] ?? [] }
        var bucketedEntries: [Entry] = []
        var bucketBounds = [0]
        for entries in entriesBySegmentCount {
            for byte in 0..<128 {
                bucketedEntries += entries.filter { entry in
                    guard let first = entry.literalRanges.first, let literal = first, !literal.isEmpty else {
                        return true
                    }
                    return entry.literalBytes[literal.lowerBound] == byte
                }
                bucketBounds.append(bucketedEntries.count)
            }
        }
        self.bucketedEntries = bucketedEntries
        self.bucketBounds = bucketBounds
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
        guard parts.count <= longestTemplate else { return .notFound }
        for entry in entriesBySegmentCount[parts.count] {
            guard let parameters = entry.path.match(parts) else { continue }
            if let index = entry.index(of: method) {
                return .matched(operations[index], pathParameters: parameters)
            }
            return .methodNotAllowed(path: entry.path, allowed: entry.methods)
        }
        return .notFound
    }

    /// The operation of a request when `match(method:path:)` would say `.matched` — read
    /// from the target's bytes, without decoding the path parameters (a proxy forwards the
    /// path as it is) — else `nil`. For a hot path: no array, no string, no dictionary is
    /// made.
    /// - Parameters:
    ///   - method: The request's method.
    ///   - target: The path as received, ASCII (percent-encoded); a query after `?` is ignored.
    public func matchedOperation(method: HTTPRequest.Method, target: UnsafeRawBufferPointer) -> ContractOperation? {
        matchedIndex(method: method, target: target).map { operations[$0] }
    }

    /// `matchedOperation(method:target:)` as the operation's index in `operations`: a
    /// caller that keeps its own value per operation reads it without copying the operation.
    public func matchedIndex(method: HTTPRequest.Method, target: UnsafeRawBufferPointer) -> Int? {
        let end = target.firstIndex(of: UInt8(ascii: "?")) ?? target.count
        return withUnsafeTemporaryAllocation(of: Range<Int>.self, capacity: longestTemplate + 1) { segments in
            var count = 0
            var lengths: UInt64 = 0
            var index = 0
            while index < end {
                if target[index] == UInt8(ascii: "/") {
                    index += 1
                    continue
                }
                let start = index
                while index < end, target[index] != UInt8(ascii: "/") { index += 1 }
                let dot = UInt8(ascii: ".")
                let length = index - start
                if target[start] == dot, length == 1 || (length == 2 && target[start + 1] == dot) { return nil }
                // More segments than any template: nothing fits.
                guard count < longestTemplate else { return nil }
                segments.initializeElement(at: count, to: start..<index)
                if count < 8 { lengths |= Self.lengthSignature(length, at: count) }
                count += 1
            }
            let parts = UnsafeBufferPointer(rebasing: segments[..<count])
            let firstByte = count > 0 ? Int(target[parts[0].lowerBound]) : 128
            guard firstByte < 128 else {
                return entriesBySegmentCount[count].first { $0.fits(target, segments: parts, lengths: lengths) }?
                    .index(of: method)
            }
            let bucket = count * 128 + firstByte
            // By index: an entry is read in place, not copied (and retained) a candidate.
            for position in bucketBounds[bucket]..<bucketBounds[bucket + 1]
            where bucketedEntries[position].fits(target, segments: parts, lengths: lengths) {
                return bucketedEntries[position].index(of: method)
            }
            return nil
        }
    }

    /// A segment's length (at most 255: a longer one compares as 255) in byte `position` of
    /// a signature of the first eight segments' lengths.
    private static func lengthSignature(_ length: Int, at position: Int) -> UInt64 {
        UInt64(min(length, 255)) << (8 * position)
    }

    /// `matchedOperation(method:target:)` for a target held as a string.
    public func matchedOperation(method: HTTPRequest.Method, target: String) -> ContractOperation? {
        var target = target
        return target.withUTF8 { matchedOperation(method: method, target: UnsafeRawBufferPointer($0)) }
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
