public import Hummingbird
public import Prometheus

/// `GET /metrics`: the registry in the Prometheus text exposition format (0.0.4).
public struct MetricsRoute<Context: RequestContext>: Sendable {
    /// The registry to emit.
    public let registry: PrometheusCollectorRegistry

    /// Creates the route.
    /// - Parameter registry: The registry to emit.
    public init(registry: PrometheusCollectorRegistry) {
        self.registry = registry
    }

    /// Adds `GET /metrics` to `router`.
    public func addRoutes(to router: some RouterMethods<Context>) {
        router.get("metrics") { [registry] _, _ in
            let bytes = registry.emitToBuffer()
            return Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes))
            )
        }
    }
}
