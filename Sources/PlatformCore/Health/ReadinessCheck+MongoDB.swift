public import MongoKit

extension ReadinessCheck {
    /// `mongodb`: a `ping` through `pool`.
    /// - Parameters:
    ///   - pool: The service's client pool.
    ///   - timeout: How long the ping may take; 2 s by default.
    /// - Returns: The check.
    public static func mongoDB(_ pool: MongoClientPool, timeout: Duration = .seconds(2)) -> ReadinessCheck {
        ReadinessCheck(name: "mongodb", timeout: timeout) {
            try await pool.ping()
        }
    }
}
