internal import CMongoC

/// Heap storage for a `bson_error_t` out-parameter (kept off the Swift stack for the
/// same alignment reason as `bson_t`).
final class BSONErrorBuffer {
    let pointer: UnsafeMutablePointer<bson_error_t>

    init() {
        let raw = UnsafeMutableRawPointer.allocate(
            byteCount: MemoryLayout<bson_error_t>.size, alignment: max(MemoryLayout<bson_error_t>.alignment, 16))
        raw.initializeMemory(as: UInt8.self, repeating: 0, count: MemoryLayout<bson_error_t>.size)
        pointer = raw.bindMemory(to: bson_error_t.self, capacity: 1)
    }

    deinit {
        UnsafeMutableRawPointer(pointer).deallocate()
    }

    var domain: UInt32 { pointer.pointee.domain }
    var code: UInt32 { pointer.pointee.code }

    /// The NUL-terminated message, bounded by the C buffer.
    var message: String {
        withUnsafeBytes(of: &pointer.pointee.message) { raw in
            let bytes = raw.prefix { $0 != 0 }
            return String(decoding: bytes, as: UTF8.self)
        }
    }
}
