public import Hummingbird
import Logging

/// `GET /health` (liveness) and `GET /health/ready` (readiness) for any service.
///
/// - `/health` → 200 `{"status":"ok"}` as long as the process serves HTTP.
/// - `/health/ready` runs every check concurrently, each within its own timeout →
///   200 `{"status":"ready","checks":{"mongodb":"up"}}` when all are up, otherwise 503
///   `SERVICE_UNAVAILABLE` with `details.checks` giving each check's state
///   (`up`, `down` or `timeout`). Failed checks are logged at `warning`.
public struct HealthRoutes<Context: RequestContext>: Sendable {
    /// The dependencies readiness depends on.
    public let checks: [ReadinessCheck]

    /// Creates the routes.
    /// - Parameter checks: The dependencies readiness depends on; none means always ready.
    public init(checks: [ReadinessCheck] = []) {
        self.checks = checks
    }

    /// Adds both routes.
    /// - Parameter router: The router or group to add them to; add them after the platform
    ///   middleware so a 503 is rendered as the envelope.
    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("health") { _, _ in
            Liveness(status: "ok")
        }
        router.get("health/ready") { _, context in
            try await readiness(logger: context.logger)
        }
    }

    private func readiness(logger: Logger) async throws -> Readiness {
        let results = await withTaskGroup(of: (String, ReadinessCheck.State).self) { group in
            for check in checks {
                group.addTask {
                    let (state, error) = await check.run()
                    if state != .up {
                        var metadata: Logger.Metadata = [
                            "check": .string(check.name), "state": .string(state.rawValue),
                        ]
                        if let error {
                            metadata["error.description"] = .string(String(describing: error))
                        }
                        logger.warning("readiness check failed", metadata: metadata)
                    }
                    return (check.name, state)
                }
            }
            var results: [String: ReadinessCheck.State] = [:]
            for await (name, state) in group {
                results[name] = state
            }
            return results
        }
        let states = results.mapValues { JSONValue.string($0.rawValue) }
        guard results.values.allSatisfy({ $0 == .up }) else {
            throw APIError(
                .serviceUnavailable,
                message: "The service is not ready.",
                details: ["checks": .object(states)]
            )
        }
        return Readiness(status: "ready", checks: .object(states))
    }
}

private struct Liveness: ResponseEncodable {
    let status: String
}

private struct Readiness: ResponseEncodable {
    let status: String
    let checks: JSONValue
}
