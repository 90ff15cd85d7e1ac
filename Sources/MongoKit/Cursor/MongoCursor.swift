/// The documents of a `find` or `aggregate`, fetched a page at a time (`getMore` as
/// needed) and decoded to `Element`.
///
/// The cursor holds one pooled connection from its first page until it is exhausted,
/// `close()`d, or dropped; iterate it to the end or close it so the connection returns
/// promptly.
public struct MongoCursor<Element: Decodable>: AsyncSequence {
    private let resources: CursorResources
    private let starter: @Sendable (CursorResources) async throws -> Void
    private let pageSize: Int

    init(
        pool: MongoClientPool, pageSize: Int,
        starter: @escaping @Sendable (CursorResources) async throws -> Void
    ) {
        resources = CursorResources(pool: pool)
        self.starter = starter
        self.pageSize = pageSize
    }

    public func makeAsyncIterator() -> Iterator {
        Iterator(resources: resources, starter: starter, pageSize: pageSize)
    }

    /// Reads every remaining document.
    /// - Throws: `MongoError` (including `.decoding` naming the field that did not fit).
    public func toArray() async throws -> [Element] {
        var all: [Element] = []
        for try await element in self {
            all.append(element)
        }
        return all
    }

    /// Kills the cursor and returns its connection to the pool.
    public func close() async {
        await resources.close()
    }

    /// Iterates pages, decoding one document per `next()`.
    public final class Iterator: AsyncIteratorProtocol {
        private let resources: CursorResources
        private let starter: @Sendable (CursorResources) async throws -> Void
        private let pageSize: Int
        private var started = false
        private var finished = false
        private var buffer: [BSONDocument] = []
        private var position = 0

        init(
            resources: CursorResources, starter: @escaping @Sendable (CursorResources) async throws -> Void,
            pageSize: Int
        ) {
            self.resources = resources
            self.starter = starter
            self.pageSize = pageSize
        }

        deinit {
            if started && !finished {
                resources.closeDetached()
            }
        }

        public func next() async throws -> Element? {
            if position == buffer.count {
                guard !finished else { return nil }
                if !started {
                    started = true
                    try await starter(resources)
                }
                buffer = try await resources.nextPage(limit: pageSize)
                position = 0
                if buffer.count < pageSize {
                    finished = true
                }
                if buffer.isEmpty {
                    return nil
                }
            }
            defer { position += 1 }
            do {
                return try BSONDecoder().decode(Element.self, from: buffer[position])
            } catch {
                throw MongoError.from(decodingError: error)
            }
        }
    }
}
