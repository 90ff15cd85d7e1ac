public import Prometheus

/// What verifying access tokens costs, in a Prometheus registry, so an operator can see
/// how much ES256 work the gateway does and whether its token cache is large enough:
///
/// - `<namespace>_token_checks_total{result}` (counter): tokens checked against the keys
///   — parsed, their ES256 signature verified, their claims read — by outcome: `valid`,
///   `invalid` or `unknown_kid`. A request answered from the cache of verified tokens is
///   not a check, nor is one whose token failed for good moments before
///   (`RecentlyRejectedTokens`).
/// - `<namespace>_token_cache_resets_total` (counter): times the cache was full of
///   unexpired tokens and was emptied to make room (`GATEWAY_TOKEN_CACHE_SIZE` too small
///   for the tokens in use: after each, every client's next request is a check).
/// - `<namespace>_token_refusals_total` (counter): tokens refused unchecked (429) because
///   their sender had used up its budget of failed checks (`TokenFailureBudget`).
public struct TokenVerificationMetrics: Sendable {
    private let validChecks: Counter
    private let invalidChecks: Counter
    private let unknownKeyChecks: Counter
    private let cacheResets: Counter
    private let refusals: Counter

    /// Creates the counters in `registry`.
    /// - Parameters:
    ///   - registry: The registry `/metrics` emits.
    ///   - namespace: The metric name prefix, e.g. `gateway`.
    public init(registry: PrometheusCollectorRegistry, namespace: String) {
        let checks = MetricNameDescriptor(
            namespace: namespace, metricName: "token_checks", unitName: "total",
            helpText: "Access tokens checked against the keys (ES256 signature and claims), by result.")
        validChecks = registry.makeCounter(descriptor: checks, labels: [("result", "valid")])
        invalidChecks = registry.makeCounter(descriptor: checks, labels: [("result", "invalid")])
        unknownKeyChecks = registry.makeCounter(descriptor: checks, labels: [("result", "unknown_kid")])
        cacheResets = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: namespace, metricName: "token_cache_resets", unitName: "total",
                helpText: "Times the cache of verified tokens was full of unexpired tokens and was emptied."),
            labels: [])
        refusals = registry.makeCounter(
            descriptor: MetricNameDescriptor(
                namespace: namespace, metricName: "token_refusals", unitName: "total",
                helpText: "Access tokens refused unchecked: their sender had no failed checks left."),
            labels: [])
    }

    /// The result label of one check.
    enum CheckResult {
        case valid, invalid, unknownKeyID
    }

    /// Counts one check of a token against the keys.
    func countCheck(_ result: CheckResult) {
        switch result {
        case .valid: validChecks.increment()
        case .invalid: invalidChecks.increment()
        case .unknownKeyID: unknownKeyChecks.increment()
        }
    }

    /// Counts one reset of a full cache.
    func countCacheReset() {
        cacheResets.increment()
    }

    /// Counts one token refused unchecked.
    func countRefusal() {
        refusals.increment()
    }
}
