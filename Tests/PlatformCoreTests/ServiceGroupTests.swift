import Logging
import PlatformCore
import ServiceLifecycle
import Synchronization
import Testing

/// A service that says when it started and records when graceful shutdown reached it.
private struct RecordingService: Service {
    let name: String
    let started: AsyncStream<String>.Continuation
    let stopped: Box<[String]>

    func run() async throws {
        started.yield(name)
        try? await gracefulShutdown()
        stopped.set(stopped.get() + [name])
    }
}

@Suite struct ServiceGroupTests {
    @Test func serversShutDownBeforeTheirResources() async throws {
        let stopped = Box<[String]>([])
        let (started, continuation) = AsyncStream.makeStream(of: String.self)
        let group = PlatformServiceGroup.make(
            servers: [
                RecordingService(name: "auth", started: continuation, stopped: stopped),
                RecordingService(name: "gateway", started: continuation, stopped: stopped),
            ],
            resources: [RecordingService(name: "pool", started: continuation, stopped: stopped)],
            logger: Logger(label: "test") { _ in SwiftLogNoOpLogHandler() }
        )
        try await withThrowingTaskGroup(of: Void.self) { tasks in
            tasks.addTask { try await group.run() }
            var running = 0
            for await _ in started {
                running += 1
                if running == 3 { break }
            }
            await group.triggerGracefulShutdown()
            try await tasks.waitForAll()
        }
        #expect(stopped.get() == ["gateway", "auth", "pool"])
    }
}
