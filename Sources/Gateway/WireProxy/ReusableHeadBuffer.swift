import NIOCore

/// A connection's memory for the heads it writes, used again from one request to the next:
/// once the channel has written a head and let go of it, the next head goes into the same
/// storage, so a head costs no allocation. While anything still holds the last head (a
/// write not yet done, a buffered answer waiting for its body), the next one gets new
/// storage, as copy-on-write gives it: a head handed out is never written over.
///
/// A head larger than `reuseLimit` (with any body written after it) gets storage of its own
/// that is not kept, so an idle connection holds at most `reuseLimit` bytes here.
struct ReusableHeadBuffer {
    /// The largest head whose storage is kept for the next one.
    static let reuseLimit = 4 * 1024

    private var storage = ByteBuffer()

    /// Writes one head and returns it: `write` is lent at least `bound` bytes of memory and
    /// returns how many it wrote.
    @inline(__always)
    mutating func write(bound: Int, _ write: (UnsafeMutableRawBufferPointer) -> Int) -> ByteBuffer {
        guard bound <= Self.reuseLimit else {
            var buffer = ByteBufferAllocator().buffer(capacity: bound)
            buffer.writeWithUnsafeMutableBytes(minimumWritableBytes: bound, write)
            return buffer
        }
        // Keeps the storage when this is its only holder and it is large enough.
        storage.clear(minimumCapacity: bound)
        storage.writeWithUnsafeMutableBytes(minimumWritableBytes: bound, write)
        return storage
    }
}
