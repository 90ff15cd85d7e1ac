import CoreMetrics
public import Prometheus

/// The process's metrics backend.
public enum MetricsBootstrap {
    /// The process-wide registry `/metrics` serves. First use makes it the backend of
    /// swift-metrics (`PrometheusMetricsFactory`), so metrics any library records through
    /// the `Metrics` API land in it too; that happens once per process, however many
    /// services of `event-reward all` ask. Executables use it; tests make their own
    /// `PrometheusCollectorRegistry` instead.
    public static let processRegistry: PrometheusCollectorRegistry = {
        let registry = PrometheusCollectorRegistry()
        MetricsSystem.bootstrap(PrometheusMetricsFactory(registry: registry))
        return registry
    }()
}
