public import Foundation
import Synchronization

/// Launches `process` under the lock every launch of this test process takes
/// (`PlatformProcess`, the shared double): Foundation's `Process` on Linux is not safe to
/// launch from several threads at once.
/// - Throws: What `Process.run()` throws.
public func launchSerialized(_ process: Process) throws {
    try processLaunchLock.withLock { _ in try process.run() }
}
