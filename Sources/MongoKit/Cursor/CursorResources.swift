internal import CMongoC
import Synchronization

/// The C side of one open cursor: the popped client, the collection handle and the
/// `mongoc_cursor_t`. A cursor is tied to its client, so the client (and the permit that
/// stands for it) stays out of the pool until the cursor is exhausted or closed.
///
/// Sendable through its Mutex: each page is read by one thread-pool job at a time.
final class CursorResources: Sendable {
    private struct Handles {
        var client: OpaquePointer?
        var collection: OpaquePointer?
        var cursor: OpaquePointer?
    }

    /// Opens the cursor inside a job; returns the `mongoc_cursor_t`.
    typealias Opener = @Sendable (_ collection: OpaquePointer) throws -> OpaquePointer

    private let handles = Mutex(Handles())
    private let pool: MongoClientPool
    private let permitHeld = Mutex(false)

    init(pool: MongoClientPool) {
        self.pool = pool
    }

    /// Takes a permit and opens the cursor on a client of its own.
    func open(database: String, collection: String, opener: @escaping Opener) async throws {
        try await pool.acquirePermit()
        permitHeld.withLock { $0 = true }
        do {
            try await pool.run { [self] in
                try handles.withLock { handles in
                    let client = pool.popClient()
                    handles.client = client
                    let collectionHandle = mongoc_client_get_collection(client, database, collection)!
                    handles.collection = collectionHandle
                    handles.cursor = try opener(collectionHandle)
                }
            }
        } catch {
            await close()
            throw error
        }
    }

    /// Reads up to `limit` documents (a `getMore` when the local batch is used up).
    /// Returns fewer when the cursor is exhausted, and then gives the client back.
    func nextPage(limit: Int) async throws -> [BSONDocument] {
        let (page, exhausted) = try await pool.run { [self] in
            try handles.withLock { handles -> ([BSONDocument], Bool) in
                guard let cursor = handles.cursor else { return ([], true) }
                var page: [BSONDocument] = []
                var current: OpaquePointer?
                while page.count < limit {
                    if mongoc_cursor_next(cursor, &current), let current {
                        page.append(try BSONHandle.document(from: current))
                        continue
                    }
                    let error = BSONErrorBuffer()
                    var reply: OpaquePointer?
                    if mongoc_cursor_error_document(cursor, error.pointer, &reply) {
                        let replyDocument = reply.flatMap { try? BSONHandle.document(from: $0) }
                        throw ErrorTranslation.translate(error, reply: replyDocument)
                    }
                    return (page, true)
                }
                return (page, false)
            }
        }
        if exhausted {
            await close()
        }
        return page
    }

    /// Destroys the cursor (killing it on the server if still open) and gives the client
    /// back. Idempotent.
    func close() async {
        _ = try? await pool.run { [self] in destroyHandles() }
        releasePermitOnce()
    }

    /// Best-effort close when the owner is dropped mid-iteration: the C work still happens
    /// on the thread pool, never on the dropping thread's event loop.
    func closeDetached() {
        let hasHandles = handles.withLock { $0.client != nil }
        guard hasHandles || permitHeld.withLock({ $0 }) else { return }
        pool.submit { [self] in
            destroyHandles()
            releasePermitOnce()
        }
    }

    private func destroyHandles() {
        handles.withLock { handles in
            if let cursor = handles.cursor { mongoc_cursor_destroy(cursor) }
            if let collection = handles.collection { mongoc_collection_destroy(collection) }
            if let client = handles.client { pool.pushClient(client) }
            handles = Handles()
        }
    }

    private func releasePermitOnce() {
        let wasHeld = permitHeld.withLock { held in
            defer { held = false }
            return held
        }
        if wasHeld {
            pool.releasePermit()
        }
    }
}
