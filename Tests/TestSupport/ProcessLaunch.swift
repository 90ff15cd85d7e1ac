public import Foundation
import Synchronization

/// Launches `process` under the lock every launch of this test process takes
/// (`PlatformProcess`, the shared double): Foundation's `Process` on Linux is not safe to
/// launch from several threads at once.
/// - Throws: What `Process.run()` throws.
public func launchSerialized(_ process: Process) throws {
    try processLaunchLock.withLock { _ in try process.run() }
}

/// The lock behind `launchSerialized(_:)`.
private let processLaunchLock = Mutex(())

/// Reads `handle` to its end with blocking reads on a thread of its own, handing each chunk
/// to `sink`, then calls `finished`. Not a `readabilityHandler`: its libdispatch read source
/// races its own teardown on Linux and crashed the test process in
/// `_dispatch_event_loop_drain` when a child exited (swift-corelibs-libdispatch issue 949).
func drainPipe(
    _ handle: FileHandle, into sink: @escaping @Sendable (Data) -> Void,
    finished: @escaping @Sendable () -> Void = {}
) {
    let descriptor = handle.fileDescriptor
    Thread {
        // The handle stays open (and the descriptor valid) until this loop ends.
        withExtendedLifetime(handle) {
            var buffer = [UInt8](repeating: 0, count: 65_536)
            while true {
                let count = read(descriptor, &buffer, buffer.count)
                if count > 0 {
                    sink(Data(buffer[0..<count]))
                } else if count == 0 || errno != EINTR {
                    break
                }
            }
        }
        finished()
    }.start()
}
