public import Prometheus
import Synchronization

/// Counts requests and records their latency in a Prometheus registry, labelled by route
/// template, method and status — never by raw path, so the label set stays bounded:
///
/// - `<namespace>_http_requests_total{route, method, status}` (counter)
/// - `<namespace>_http_request_duration_seconds{route, method, status}` (histogram)
///
/// Safe to use from any task; the registry keeps one series per label combination.
public struct HTTPRequestMetrics: Sendable {
    /// The route label of a request that matched no route.
    public static let unmatchedRoute = "unmatched"

    /// The latency buckets in seconds, 1 ms to 10 s. Kept as seconds (a `ValueHistogram`),
    /// not as `Duration`s: a recording compares the value with every bucket, and thirteen
    /// `Duration` comparisons cost more than the rest of the recording (the bucket labels
    /// are the same: `le="0.001"` … `le="10.0"`).
    public static let buckets: [Double] = [
        0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
    ]

    /// The registry the series live in (what `/metrics` emits).
    public let registry: PrometheusCollectorRegistry
    private let namespace: String

    /// Creates the recorder.
    /// - Parameters:
    ///   - registry: The registry to record into.
    ///   - namespace: The metric name prefix, e.g. `gateway`.
    public init(registry: PrometheusCollectorRegistry, namespace: String) {
        self.registry = registry
        self.namespace = namespace
    }

    /// Records one request.
    /// - Parameters:
    ///   - route: The route template (e.g. `/events/{id}`) or `unmatchedRoute`.
    ///   - method: The method; anything but the standard methods is recorded as `OTHER`.
    ///   - status: The response status code.
    ///   - elapsed: The time until the response head.
    public func record(route: String, method: String, status: Int, elapsed: Duration) {
        series(route: route, method: method, status: status).record(elapsed)
    }

    /// The series of one label combination, for a caller that records into the same one
    /// again and again (it skips the lookup: a lock and a hash of the labels).
    /// - Parameters: As `record(route:method:status:elapsed:)`.
    public func series(route: String, method: String, status: Int) -> Series {
        let key = SeriesKey(route: route, method: Self.methodLabel(method), status: status)
        return self.series.withLock { $0[key] } ?? makeSeries(key)
    }

    /// One label combination's counter and histogram.
    public struct Series: Sendable {
        let requests: Counter
        let duration: ValueHistogram

        /// Records one request that took `elapsed` to its response head.
        public func record(_ elapsed: Duration) {
            record(seconds: elapsed / .seconds(1))
        }

        /// Records one request that took `nanoseconds` to its response head (what an event
        /// loop's clock gives; a `Duration`'s conversion to seconds divides 128-bit integers,
        /// which costs a third of the recording).
        public func record(nanoseconds: Int64) {
            record(seconds: Double(nanoseconds) / 1e9)
        }

        private func record(seconds: Double) {
            requests.increment()
            duration.record(seconds)
        }
    }

    private struct SeriesKey: Hashable, Sendable {
        let route: String
        let method: String
        let status: Int
    }

    /// The series looked up once per label combination: the registry validates names and
    /// builds label arrays on every lookup, which cost more than the recording itself.
    private let series = SeriesTable()

    private final class SeriesTable: Sendable {
        let table = Mutex<[SeriesKey: Series]>([:])

        func withLock<Result>(_ body: (inout [SeriesKey: Series]) -> Result) -> Result {
            table.withLock { body(&$0) }
        }
    }

    private func makeSeries(_ key: SeriesKey) -> Series {
        let labels = [("route", key.route), ("method", key.method), ("status", String(key.status))]
        let requests = MetricNameDescriptor(
            namespace: namespace, metricName: "http_requests", unitName: "total",
            helpText: "HTTP requests by route template, method and status.")
        let duration = MetricNameDescriptor(
            namespace: namespace, metricName: "http_request_duration", unitName: "seconds",
            helpText: "Time to the response head, by route template, method and status.")
        let series = Series(
            requests: registry.makeCounter(descriptor: requests, labels: labels),
            duration: registry.makeValueHistogram(descriptor: duration, labels: labels, buckets: Self.buckets))
        self.series.withLock { $0[key] = series }
        return series
    }

    /// `method` when it is a standard method, else `OTHER` (clients can send any token).
    static func methodLabel(_ method: String) -> String {
        switch method {
        case "GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "TRACE", "CONNECT": method
        default: "OTHER"
        }
    }
}
