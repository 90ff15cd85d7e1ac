/// Percentiles of a set of latencies, in milliseconds (nearest rank).
struct LatencySummary: Encodable, Sendable {
    var count: Int
    var p50: Double
    var p90: Double
    var p99: Double
    var max: Double
    var mean: Double

    init(_ durations: [Duration]) {
        let sorted = durations.map(\.milliseconds).sorted()
        count = sorted.count
        func rank(_ fraction: Double) -> Double {
            guard !sorted.isEmpty else { return 0 }
            let index = Int((fraction * Double(sorted.count)).rounded(.up)) - 1
            return sorted[Swift.max(0, Swift.min(sorted.count - 1, index))]
        }
        p50 = rank(0.50)
        p90 = rank(0.90)
        p99 = rank(0.99)
        max = sorted.last ?? 0
        mean = sorted.isEmpty ? 0 : sorted.reduce(0, +) / Double(sorted.count)
    }
}

extension Duration {
    /// The duration in milliseconds.
    var milliseconds: Double {
        let (seconds, attoseconds) = components
        return Double(seconds) * 1000 + Double(attoseconds) / 1e15
    }

    /// The duration in seconds.
    var seconds: Double { milliseconds / 1000 }
}

/// Counts of HTTP statuses, keyed by the status as text (0 = no answer).
func statusCounts(_ statuses: [Int]) -> [String: Int] {
    var counts: [String: Int] = [:]
    for status in statuses { counts[String(status), default: 0] += 1 }
    return counts
}

/// Runs `count` jobs, at most `concurrency` at once (all at once when `concurrency >=
/// count`: a storm), and returns their results in job order.
func runConcurrently<Result: Sendable>(
    count: Int, concurrency: Int, _ job: @escaping @Sendable (Int) async -> Result
) async -> [Result] {
    await withTaskGroup(of: (Int, Result).self) { group in
        var results = [Result?](repeating: nil, count: count)
        var next = 0
        while next < Swift.min(Swift.max(concurrency, 1), count) {
            let index = next
            group.addTask { (index, await job(index)) }
            next += 1
        }
        while let (index, result) = await group.next() {
            results[index] = result
            if next < count {
                let index = next
                group.addTask { (index, await job(index)) }
                next += 1
            }
        }
        return results.map { $0! }
    }
}
