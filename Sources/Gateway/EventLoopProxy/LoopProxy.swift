import Logging
import NIOCore
import PlatformCore
import Prometheus

/// What every connection's `LoopProxyHandler` shares: the planner, the per-loop upstream
/// pools, the request metrics, the timeouts and the logger.
struct LoopProxy: Sendable {
    let planner: LoopProxyPlanner
    let upstreams: LoopUpstreams
    let metrics: HTTPRequestMetrics
    /// Counts the requests answered here (`gateway_event_loop_proxied_requests_total`); the
    /// rest of `gateway_http_requests_total` went through the router, or were refused by the
    /// byte-level path (`wireRefusals`).
    let proxiedRequests: Counter
    /// Whether client connections start on the byte-level path (`WireProxyHandler`).
    let usesWirePath: Bool
    /// Counts the requests of `proxiedRequests` the byte-level path answered
    /// (`gateway_wire_proxied_requests_total`).
    let wireRequests: Counter
    /// Counts the requests the byte-level path refused itself for their `Authorization`
    /// (`gateway_wire_refused_requests_total`): not proxied, and not through the router.
    let wireRefusals: Counter
    /// How long an upstream may stay silent before the client gets 504.
    let readTimeout: TimeAmount
    /// The longest a whole exchange may take (as the HTTP client path's deadline).
    let deadline: TimeAmount
    /// When a silent client connection is closed (`IdleWatch`); `nil` for never.
    let idleTimeout: TimeAmount?
    let logger: Logger
}

extension LoopProxy {
    /// The counter in `/metrics`: `gateway_event_loop_proxied_requests_total`.
    static var proxiedRequestsMetric: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway", metricName: "event_loop_proxied_requests", unitName: "total",
            helpText: "Requests the gateway proxied on the connection's event loop; the others went through its router."
        )
    }

    /// The counter in `/metrics`: `gateway_wire_refused_requests_total`.
    static var wireRefusalsMetric: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway", metricName: "wire_refused_requests", unitName: "total",
            helpText:
                "Requests the byte-level path answered itself with the router's 401, 403, 429 or 503 for their Authorization, without forwarding them."
        )
    }

    /// The counter in `/metrics`: `gateway_wire_proxied_requests_total`.
    static var wireRequestsMetric: MetricNameDescriptor {
        MetricNameDescriptor(
            namespace: "gateway", metricName: "wire_proxied_requests", unitName: "total",
            helpText:
                "Of the requests proxied on the event loop, those read and forwarded as bytes, with no HTTP codec."
        )
    }
}
