import HTTPTypes

extension APIError {
    /// 429 `RATE_LIMITED` telling the client when to try again: `Retry-After` and
    /// `details.retryAfter`, both in whole seconds.
    /// - Parameters:
    ///   - message: What was limited, for the client.
    ///   - retryAfter: Seconds until the client may try again (at least 1).
    public static func rateLimited(_ message: String, retryAfter seconds: Int) -> APIError {
        let seconds = max(1, seconds)
        return APIError(
            .rateLimited, message: message, details: ["retryAfter": .int(seconds)],
            headers: [.retryAfter: String(seconds)])
    }
}
