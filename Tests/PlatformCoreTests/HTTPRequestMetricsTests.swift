import Prometheus
import TestSupport
import Testing

@testable import PlatformCore

@Suite struct HTTPRequestMetricsTests {
    /// The lines `registry` emits for the duration histogram of one series.
    private func durationLines(_ registry: PrometheusCollectorRegistry) -> [String: String] {
        var bytes: [UInt8] = []
        registry.emit(into: &bytes)
        var lines: [String: String] = [:]
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n")
        where line.hasPrefix("test_http_request_duration_seconds") {
            guard let space = line.lastIndex(of: " ") else { continue }
            lines[String(line[..<space])] = String(line[line.index(after: space)...])
        }
        return lines
    }

    @Test func durationsAreRecordedInSecondsWithTheBucketsOperatorsQuery() throws {
        let registry = PrometheusCollectorRegistry()
        let metrics = HTTPRequestMetrics(registry: registry, namespace: "test")
        let series = metrics.series(route: "/events", method: "GET", status: 200)
        series.record(.milliseconds(3))  // the router's clock
        series.record(nanoseconds: 30_000_000)  // an event loop's clock
        metrics.record(route: "/events", method: "GET", status: 200, elapsed: .seconds(20))

        let lines = durationLines(registry)
        let labels = #"route="/events",method="GET",status="200""#
        func bucket(_ bound: String) -> String? {
            lines[#"test_http_request_duration_seconds_bucket{\#(labels),le="\#(bound)"}"#]
        }
        #expect(bucket("0.001") == "0")
        #expect(bucket("0.002") == "0")
        #expect(bucket("0.005") == "1")
        #expect(bucket("0.025") == "1")
        #expect(bucket("0.05") == "2")
        #expect(bucket("1.0") == "2")
        #expect(bucket("10.0") == "2")
        #expect(bucket("+Inf") == "3")
        #expect(lines["test_http_request_duration_seconds_count{\(labels)}"] == "3")
        let sum = try #require(lines["test_http_request_duration_seconds_sum{\(labels)}"].flatMap(Double.init))
        #expect(abs(sum - 20.033) < 1e-9)
        #expect(registry.value(of: "test_http_requests_total{\(labels)}") == 3)
    }

    @Test func everyBucketBoundIsEmittedAsBefore() {
        // The bounds operators' dashboards and alerts name (`le="0.25"`), as they were when the
        // histogram held `Duration`s.
        let registry = PrometheusCollectorRegistry()
        HTTPRequestMetrics(registry: registry, namespace: "test").record(
            route: "/x", method: "GET", status: 200, elapsed: .milliseconds(1))
        let bounds = durationLines(registry).keys.compactMap { key -> String? in
            guard let bound = key.split(separator: "le=\"").last, key.contains("le=\"") else { return nil }
            return String(bound.dropLast(2))  // `"}`
        }
        #expect(
            Set(bounds)
                == [
                    "0.001", "0.002", "0.005", "0.01", "0.025", "0.05", "0.1", "0.25", "0.5", "1.0", "2.5", "5.0",
                    "10.0", "+Inf",
                ])
    }
}
