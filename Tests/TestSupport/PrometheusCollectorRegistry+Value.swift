public import Prometheus

extension PrometheusCollectorRegistry {
    /// The value the registry emits for `series` — a metric name with its labels as emitted,
    /// e.g. `gateway_token_checks_total{result="valid"}` — 0 when it emits none, −1 when the
    /// value is not an integer.
    public func value(of series: String) -> Int {
        var bytes: [UInt8] = []
        emit(into: &bytes)
        let prefix = series + " "
        for line in String(decoding: bytes, as: UTF8.self).split(separator: "\n") where line.hasPrefix(prefix) {
            return Int(line.dropFirst(prefix.count)) ?? -1
        }
        return 0
    }
}
