import Logging
import ServiceLifecycle

/// Runs `tick` every `interval` until graceful shutdown: the loop of every background
/// worker of the service. A failing tick is logged and retried at the next interval;
/// it never ends the service.
struct PeriodicWorker: Service {
    let name: String
    let interval: Duration
    let logger: Logger
    let tick: @Sendable () async throws -> Void

    func run() async throws {
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            do {
                try await tick()
            } catch {
                logger.warning(
                    "worker tick failed",
                    metadata: ["worker": .string(name), "error.description": .string(String(describing: error))])
            }
            do {
                try await cancelWhenGracefulShutdown { try await Task.sleep(for: interval) }
            } catch {
                return
            }
        }
    }
}
