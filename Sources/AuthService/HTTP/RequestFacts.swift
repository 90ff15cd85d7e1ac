/// What a generated handler cannot see but some operations need: the client's address
/// (login rate limit) and the raw `Authorization` header (HTTP Basic on `/auth/token`).
/// `RequestFactsMiddleware` sets it for the duration of each request.
struct RequestFacts: Sendable {
    /// The client's IP: the last `X-Forwarded-For` entry (appended by the gateway) when it is
    /// an IP address, otherwise the connection's peer; `nil` when neither is known.
    var clientAddress: String?
    /// The `Authorization` header as sent.
    var authorization: String?

    /// The facts of the request being handled.
    @TaskLocal static var current = RequestFacts()
}
