import HTTPTypes
import Logging
import NIOCore
import PlatformCore
import Prometheus

/// What both of the event-loop proxy's paths (`LoopProxyHandler`, `WireProxyHandler`) do
/// alike around an exchange: its timeouts, its failure answer, its log line, its metrics.
extension LoopProxy {
    /// The failure a connect error is answered with: 504 for a connect timeout, else 502.
    static func failureCode(connecting error: any Error) -> APIError.Code {
        if case .connectTimeout = error as? ChannelError { return .upstreamTimeout }
        return .upstreamUnavailable
    }

    /// Whether an exchange is overdue at `now`. The read timeout runs once the request is
    /// sent (as the HTTP client's does) and not while the client is too slow to take a
    /// streamed answer (`upstreamPaused`); the deadline always runs.
    func isOverdue(
        at now: NIODeadline, requestSent: Bool, upstreamPaused: Bool, lastUpstreamActivity: NIODeadline,
        deadline: NIODeadline
    ) -> Bool {
        (requestSent && !upstreamPaused && now >= lastUpstreamActivity + readTimeout) || now >= deadline
    }

    /// Logs a failed exchange (with its request id) and gives the envelope to answer it with,
    /// stamped with the request id and `date`.
    func failureAnswer(
        _ apiError: APIError, cause: any Error, service: String, requestID: String, date: String
    ) -> (head: HTTPResponse, body: ByteBuffer) {
        logFailure(apiError, cause: cause, service: service, requestID: requestID)
        return envelopeAnswer(apiError, requestID: requestID, date: date)
    }

    /// Logs a failed exchange, with its request id (`UpstreamProxy.logFailure`).
    func logFailure(_ apiError: APIError, cause: any Error, service: String, requestID: String) {
        UpstreamProxy.logFailure(apiError, cause: cause, service: service, logger: logger(requestID: requestID))
    }

    /// The proxy's logger with the request's id (`request.id`, as the router's request logger).
    private func logger(requestID: String) -> Logger {
        var logger = self.logger
        logger[metadataKey: "request.id"] = .string(requestID)
        return logger
    }

    /// The envelope answering `apiError`, stamped with the request id and `date`, as the
    /// router's `ErrorEnvelopeMiddleware` and `RequestIDMiddleware` answer it.
    func envelopeAnswer(_ apiError: APIError, requestID: String, date: String) -> (head: HTTPResponse, body: ByteBuffer)
    {
        var (head, body) = ErrorEnvelope.rendered(apiError, requestID: requestID)
        head.headerFields[.xRequestID] = requestID
        head.headerFields[.date] = date
        return (head, body)
    }

    /// The logger with `requestID`, when debug lines are logged (a token's rejection reason
    /// is one); `nil` otherwise.
    func requestLogger(forDebug requestID: WireRequestID) -> Logger? {
        logger.logLevel <= .debug ? logger(requestID: requestID.string) : nil
    }

    /// Logs a request refused for its `Authorization` as the router logs it (debug, as any
    /// 4xx; a 503 while no key is loaded too, as `ErrorEnvelopeMiddleware` logs a thrown
    /// `APIError`).
    func logRefusal(_ apiError: APIError, requestID: String) {
        guard logger.logLevel <= .debug || apiError.status.code >= 500 else { return }
        ErrorEnvelopeMiddleware.log(apiError, as: apiError, logger: logger(requestID: requestID))
    }

    /// Counts a request the byte-level path refused for its `Authorization`, and records its
    /// metrics in the series `recent` keeps.
    func recordRefusal(route: LoopRoute, status: Int, elapsed: TimeAmount, recent: inout RecentSeries) {
        wireRefusals.increment()
        recent.series(route: route, status: status, metrics: metrics).record(nanoseconds: elapsed.nanoseconds)
    }

    /// Counts an answered request (`asBytes`: by the byte-level path) and records its metrics
    /// in the series `recent` keeps (looked up when the route or status changes).
    func record(
        route: LoopRoute, status: Int, elapsed: TimeAmount, asBytes: Bool, recent: inout RecentSeries
    ) {
        proxiedRequests.increment()
        if asBytes { wireRequests.increment() }
        recent.series(route: route, status: status, metrics: metrics).record(nanoseconds: elapsed.nanoseconds)
    }
}

/// The metrics series a connection recorded into last: a connection's requests are mostly
/// one route answered with one status, so its series is looked up once, not per request.
struct RecentSeries {
    private var route: LoopRoute?
    private var status = 0
    private var series: HTTPRequestMetrics.Series?

    /// The series of `route` answered with `status`.
    mutating func series(route: LoopRoute, status: Int, metrics: HTTPRequestMetrics) -> HTTPRequestMetrics.Series {
        if let series, self.route === route, self.status == status { return series }
        let found = metrics.series(route: route.template, method: route.method.rawValue, status: status)
        self.route = route
        self.status = status
        self.series = found
        return found
    }
}

/// Reads of an upstream connection, held back while paused (a slow client of a streamed
/// answer). It only decides; the connection passes a read on. (A `read` passed on while
/// this is being changed would hold the change open across a call into the channel, and
/// every access to it would then need a check at run time.)
struct PausableReads {
    private var isPaused = false
    private var readPending = false

    /// Whether a `read` is passed on now (else it is held until `setPaused(false)`).
    mutating func passesOnRead() -> Bool {
        if isPaused { readPending = true }
        return !isPaused
    }

    /// Pauses or resumes; `true` when a held read is to be passed on now.
    mutating func setPaused(_ paused: Bool) -> Bool {
        isPaused = paused
        guard !paused, readPending else { return false }
        readPending = false
        return true
    }
}
