import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// Where `JSONLogHandler` sends its lines: standard output, standard error, or a closure
/// (tests capture lines with one).
///
/// Thread-safe: each line is written whole, one line at a time, so lines from concurrent
/// tasks never interleave.
public struct LogLineWriter: Sendable {
    private let body: @Sendable (String) -> Void

    /// A writer that calls `body` with each line (without its trailing newline). `body` may be
    /// called from any thread, concurrently.
    public init(_ body: @escaping @Sendable (String) -> Void) {
        self.body = body
    }

    /// Standard output, the stream container runtimes collect.
    public static let standardOutput = LogLineWriter(FileDescriptorSink(descriptor: 1).write)
    /// Standard error.
    public static let standardError = LogLineWriter(FileDescriptorSink(descriptor: 2).write)

    /// Writes one line.
    public func write(_ line: String) {
        body(line)
    }
}

/// Writes whole lines to a file descriptor with `write(2)`, under a lock so that lines
/// longer than the pipe's atomic-write size still never interleave.
private final class FileDescriptorSink: Sendable {
    private let descriptor: Int32
    private let lock = Mutex(())

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    func write(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.append(UInt8(ascii: "\n"))
        lock.withLock { _ in
            bytes.withUnsafeBytes { buffer in
                var offset = 0
                while offset < buffer.count {
                    #if canImport(Darwin)
                        let written = Darwin.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    #elseif canImport(Musl)
                        let written = Musl.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    #else
                        let written = Glibc.write(descriptor, buffer.baseAddress! + offset, buffer.count - offset)
                    #endif
                    if written < 0 {
                        if errno == EINTR { continue }
                        return  // Nowhere left to report a failing log stream; drop the line.
                    }
                    offset += written
                }
            }
        }
    }
}
