import HTTPTypes
import Logging
import NIOCore
import NIOHTTP1
import NIOHTTPTypes
import PlatformCore
import Prometheus

/// Serves the requests `LoopProxyPlanner` accepts on the client connection's own event
/// loop, over `UpstreamConnectionPool`, and hands every other request, unchanged and in
/// order, to Hummingbird's router.
///
/// It sits after Hummingbird's `HTTPConnectionStateHandler`, which therefore counts the
/// requests served here too: graceful shutdown (close once the responses in flight are
/// written) covers both paths. (The idle timeout is `IdleConnectionCloser`'s, between the
/// two: it sees this handler's requests and answers as well as the router's.)
///
/// Order on a keep-alive connection: a request goes to the router while a routed response
/// is unwritten (so pipelined requests keep their order); while a proxied request is in
/// flight, input is held (no `read`) and anything already decoded waits in a queue.
///
/// Answers, as the router's path would give them: the upstream's status, headers (minus
/// hop-by-hop ones) and body, with `X-Request-Id`; a response with a declared length up to
/// `UpstreamProxy.bufferedResponseLimit` is read whole first, so a timeout or a broken
/// connection while reading it is still a 504 / 502 envelope. A larger one is streamed;
/// if it breaks, the client connection is closed. Nothing is retried.
final class LoopProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, UpstreamResponseReceiver,
    TimedExchangeOwner
{
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// One proxied request and its response.
    private final class Exchange {
        let plan: LoopProxyPlan
        let pool: UpstreamConnectionPool<UpstreamConnection>
        let started = NIODeadline.now()
        let deadline: NIODeadline
        var connection: UpstreamConnection?
        /// Body parts that arrived before the upstream connection.
        var pendingBody: [ByteBuffer] = []
        /// The client's `end` arrived.
        var requestEnded = false
        /// The request's `end` was written upstream.
        var requestSent = false
        var lastUpstreamActivity = NIODeadline.now()
        var responseHead: HTTPResponseHead?
        var upstreamKeepsAlive = false
        var bufferedBody = ByteBuffer()
        /// The head went to the client before the body (a large or unsized response).
        var isStreaming = false
        /// Skipping a 1xx interim response (its head and end).
        var isSkippingInterim = false
        /// Upstream reads are paused until the client can take more of a streamed answer.
        var isUpstreamPaused = false
        /// The client has its whole answer (or the exchange was abandoned).
        var responseDone = false

        init(plan: LoopProxyPlan, pool: UpstreamConnectionPool<UpstreamConnection>, deadline: NIODeadline) {
            self.plan = plan
            self.pool = pool
            self.deadline = deadline
        }

        /// Marks the client's answer done and lets go of the upstream connection: back to
        /// the pool when it can carry another request, else closed.
        func end(reusingConnection reusable: Bool) {
            responseDone = true
            guard let connection else { return }
            self.connection = nil
            if reusable {
                pool.release(connection)
            } else {
                connection.receiver = nil
                connection.close()
            }
        }
    }

    private enum Mode {
        /// Between requests.
        case idle
        /// Requests handed to the router: how many responses are unwritten, and whether
        /// the last one's body is still arriving.
        case routed(unanswered: Int, requestOpen: Bool)
        case proxying(Exchange)
    }

    private let proxy: LoopProxy
    private let pools: LoopPools
    private var context: ChannelHandlerContext?
    private var mode = Mode.idle
    /// The metrics series of this connection's last answer.
    private var recentSeries = RecentSeries()
    /// Parts decoded while a proxied request was in flight (pipelining), in order.
    private var queued = CircularBuffer<HTTPRequestPart>()
    private var readPending = false
    /// The client closed its side (or sent bytes the parser refused) while a proxied
    /// request was in flight or requests waited: passed on, in order, once they are answered.
    private var deferredInputClosed = false
    private var deferredParserError: (any Error)?
    /// A routed request asked to close the connection: the router answers it and stops
    /// reading, so nothing after it may be proxied either.
    private var isClosing = false
    /// The client's IP address, for `X-Forwarded-For` (looked up once per connection).
    private lazy var clientAddress: String? = context?.channel.remoteAddress?.ipAddress

    init(proxy: LoopProxy, pools: LoopPools) {
        self.proxy = proxy
        self.pools = pools
    }

    // MARK: Client side

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        abandonExchange()
        self.context = nil
    }

    /// Not reached in Hummingbird's pipeline (its connection-state handler does not pass
    /// `channelInactive` on); `handlerRemoved` cleans up when the channel closes.
    func channelInactive(context: ChannelHandlerContext) {
        abandonExchange()
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        guard isBusy else { return context.fireErrorCaught(error) }
        if error is HTTPParserError {
            // Bytes after a pipelined request the parser refused: the router answers them
            // (400 and close) once what came before is answered.
            if deferredParserError == nil { deferredParserError = error }
            return
        }
        // The connection itself failed: nothing more can be answered on it.
        abandonExchange()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        if case .inputClosed = event as? ChannelEvent, isBusy {
            if case .proxying(let exchange) = mode, !exchange.requestEnded {
                // The body can never be complete: the exchange is dropped, as when the
                // client disconnects.
                abandonExchange()
                context.close(promise: nil)
                return
            }
            // A client that half-closes after sending still gets its answers.
            deferredInputClosed = true
            return
        }
        context.fireUserInboundEventTriggered(event)
    }

    /// A slow client of a streamed answer holds the upstream back instead of the gateway
    /// buffering the answer for it.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        if case .proxying(let exchange) = mode, exchange.isStreaming, let connection = exchange.connection {
            let paused = !context.channel.isWritable
            if paused != exchange.isUpstreamPaused {
                exchange.isUpstreamPaused = paused
                exchange.lastUpstreamActivity = .now()
                connection.setReadingPaused(paused)
            }
        }
        context.fireChannelWritabilityChanged()
    }

    /// Whether a proxied request is in flight or decoded requests wait for their turn.
    private var isBusy: Bool {
        if case .proxying = mode { return true }
        return !queued.isEmpty
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let part = unwrapInboundIn(data)
        if isHoldingInput || !queued.isEmpty {
            queued.append(part)
            return
        }
        process(part, context: context)
    }

    /// Reads on while nothing waits in the queue: a client that does not pipeline never
    /// has its reads held (holding and resuming costs two `epoll_ctl` calls per request).
    func read(context: ChannelHandlerContext) {
        if queued.isEmpty {
            context.read()
        } else {
            readPending = true
        }
    }

    /// Counts the router's responses, to know when the connection is between requests.
    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        if case .routed(let unanswered, let requestOpen) = mode, case .end = unwrapOutboundIn(data) {
            let remaining = max(0, unanswered - 1)
            mode = remaining == 0 && !requestOpen ? .idle : .routed(unanswered: remaining, requestOpen: requestOpen)
        }
        context.write(data, promise: promise)
    }

    /// Whether a proxied request has been read whole and its response is not written yet:
    /// what arrives now is a pipelined request, which waits its turn in the queue.
    private var isHoldingInput: Bool {
        if case .proxying(let exchange) = mode { return exchange.requestEnded }
        return false
    }

    private func process(_ part: HTTPRequestPart, context: ChannelHandlerContext) {
        switch mode {
        case .idle:
            if case .head(let head) = part, !isClosing,
                let plan = proxy.planner.plan(head, clientAddress: clientAddress),
                let pool = pools.pool(for: plan.route.service), pool.canLease
            {
                begin(plan, pool: pool, context: context)
                return
            }
            if case .head(let head) = part {
                mode = .routed(unanswered: 1, requestOpen: true)
                noteConnectionHeader(of: head)
            }
            context.fireChannelRead(wrapInboundOut(part))
        case .routed(let unanswered, _):
            switch part {
            case .head(let head):
                mode = .routed(unanswered: unanswered + 1, requestOpen: true)
                noteConnectionHeader(of: head)
            case .body: break
            case .end: mode = unanswered == 0 ? .idle : .routed(unanswered: unanswered, requestOpen: false)
            }
            context.fireChannelRead(wrapInboundOut(part))
        case .proxying(let exchange):
            switch part {
            case .head: queued.append(part)  // not reached: input is held once the request ended
            case .body(let buffer): forwardBody(buffer, of: exchange)
            case .end: endRequest(of: exchange, context: context)
            }
        }
    }

    private func noteConnectionHeader(of head: HTTPRequest) {
        if let connection = head.headerFields[.connection], connection.lowercased().contains("close") {
            isClosing = true
        }
    }

    private func forwardBody(_ buffer: ByteBuffer, of exchange: Exchange) {
        guard !exchange.responseDone else { return }  // answered already: the rest is dropped
        if let connection = exchange.connection {
            connection.write(.body(.byteBuffer(buffer)))
            connection.flush()
        } else {
            exchange.pendingBody.append(buffer)
        }
    }

    private func endRequest(of exchange: Exchange, context: ChannelHandlerContext) {
        exchange.requestEnded = true
        if exchange.responseDone { return finish(context: context) }
        if let connection = exchange.connection {
            connection.write(.end(nil))
            connection.flush()
            exchange.requestSent = true
            exchange.lastUpstreamActivity = .now()
        }
    }

    /// The answer is written: the exchange is over once the request has been read whole.
    private func finishIfRequestIsOver(_ exchange: Exchange, context: ChannelHandlerContext) {
        if exchange.requestEnded { finish(context: context) }
    }

    /// The exchange is over on both sides: take the next request.
    private func finish(context: ChannelHandlerContext) {
        mode = .idle
        if !queued.isEmpty {
            while !isHoldingInput, let part = queued.popFirst() {
                process(part, context: context)
            }
            // The router's inbound stream delivers what it was given at read-complete.
            context.fireChannelReadComplete()
        }
        if readPending, queued.isEmpty {
            readPending = false
            context.read()
        }
        guard !isBusy else { return }
        if let error = deferredParserError {
            deferredParserError = nil
            context.fireErrorCaught(error)
        }
        if deferredInputClosed {
            deferredInputClosed = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
    }

    // MARK: Exchange

    private func begin(
        _ plan: LoopProxyPlan, pool: UpstreamConnectionPool<UpstreamConnection>, context: ChannelHandlerContext
    ) {
        let exchange = Exchange(plan: plan, pool: pool, deadline: .now() + proxy.deadline)
        mode = .proxying(exchange)
        pools.timeouts.watch(self)
        if let connection = pool.takeIdleConnection() {
            return send(exchange, over: connection)
        }
        // Held until the connect ends (bounded by the connect timeout): a weak capture would
        // make every later retain of this handler take the runtime's slow path.
        pool.connect { result in
            guard case .proxying(let current) = self.mode, current === exchange, !exchange.responseDone else {
                if case .success(let connection) = result { pool.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                self.send(exchange, over: connection)
            case .failure(let error):
                self.fail(exchange, code: LoopProxy.failureCode(connecting: error), cause: error)
            }
        }
    }

    private func send(_ exchange: Exchange, over connection: UpstreamConnection) {
        exchange.connection = connection
        exchange.lastUpstreamActivity = .now()
        connection.receiver = self
        connection.write(.head(exchange.plan.upstreamHead))
        for buffer in exchange.pendingBody {
            connection.write(.body(.byteBuffer(buffer)))
        }
        exchange.pendingBody = []
        if exchange.requestEnded {
            connection.write(.end(nil))
            exchange.requestSent = true
            exchange.lastUpstreamActivity = .now()
        }
        connection.flush()
    }

    func upstreamReceived(_ part: HTTPClientResponsePart) {
        guard case .proxying(let exchange) = mode, !exchange.responseDone, let context else { return }
        exchange.lastUpstreamActivity = .now()
        switch part {
        case .head(let head):
            if head.status.code < 200 {
                exchange.isSkippingInterim = true
                return
            }
            exchange.responseHead = head
            exchange.upstreamKeepsAlive = head.isKeepAlive
            let declaredLength = head.headers.first(name: "content-length").flatMap { Int($0) }
            let hasNoBody = head.status == .noContent || head.status == .notModified
            if !hasNoBody, declaredLength.map({ $0 > UpstreamProxy.bufferedResponseLimit }) ?? true {
                exchange.isStreaming = true
                context.writeAndFlush(
                    wrapOutboundOut(.head(clientHead(head, of: exchange, contentLength: declaredLength))), promise: nil)
            }
        case .body(let buffer):
            guard !exchange.isSkippingInterim else { return }
            if exchange.isStreaming {
                context.writeAndFlush(wrapOutboundOut(.body(buffer)), promise: nil)
            } else {
                var buffer = buffer
                exchange.bufferedBody.writeBuffer(&buffer)
            }
        case .end:
            if exchange.isSkippingInterim {
                exchange.isSkippingInterim = false
                return
            }
            complete(exchange, context: context)
        }
    }

    func upstreamClosed() {
        guard case .proxying(let exchange) = mode, !exchange.responseDone else { return }
        exchange.connection = nil
        fail(exchange, code: .upstreamUnavailable, cause: LoopProxyFailure.connectionClosed)
    }

    /// The upstream's response is complete: answer the client, return the connection.
    private func complete(_ exchange: Exchange, context: ChannelHandlerContext) {
        end(exchange, reusingConnection: exchange.requestSent && exchange.upstreamKeepsAlive)
        guard let head = exchange.responseHead else { return }
        record(exchange, status: Int(head.status.code))
        if !exchange.isStreaming {
            let hasNoBody = head.status == .noContent || head.status == .notModified
            let body = exchange.bufferedBody
            context.write(
                wrapOutboundOut(
                    .head(clientHead(head, of: exchange, contentLength: hasNoBody ? nil : body.readableBytes))),
                promise: nil)
            if !hasNoBody, body.readableBytes > 0 {
                context.write(wrapOutboundOut(.body(body)), promise: nil)
            }
        }
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        finishIfRequestIsOver(exchange, context: context)
    }

    /// The exchange failed before the client had its answer: 502 / 504 envelope, or — if
    /// the head was already sent — the client connection is closed.
    private func fail(_ exchange: Exchange, code: APIError.Code, cause: any Error) {
        guard let context else { return }
        end(exchange, reusingConnection: false)
        let apiError = APIError(code)
        let (head, body) = proxy.failureAnswer(
            apiError, cause: cause, service: exchange.plan.route.service, requestID: exchange.plan.requestID,
            date: pools.date.current)
        record(exchange, status: apiError.status.code)
        if exchange.isStreaming {
            context.close(promise: nil)
            return
        }
        context.write(wrapOutboundOut(.head(head)), promise: nil)
        context.write(wrapOutboundOut(.body(body)), promise: nil)
        context.writeAndFlush(wrapOutboundOut(.end(nil)), promise: nil)
        finishIfRequestIsOver(exchange, context: context)
    }

    /// The exchange is answered (or abandoned): its connection is let go and its time no
    /// longer watched.
    private func end(_ exchange: Exchange, reusingConnection reusable: Bool) {
        exchange.end(reusingConnection: reusable)
        pools.timeouts.unwatch(self)
    }

    /// The client is gone (or the handler removed): drop the exchange and its connection.
    private func abandonExchange() {
        if case .proxying(let exchange) = mode {
            end(exchange, reusingConnection: false)
        }
        mode = .idle
        queued.removeAll()
    }

    /// Its place in `ExchangeTimeouts` while watched.
    var watchSlot: Int?

    /// Called by `ExchangeTimeouts`: a 504 when the upstream has been silent for the read
    /// timeout since the request was sent, or the exchange has run past its deadline.
    func timeOutExchange(ifOverdueAt now: NIODeadline) {
        guard case .proxying(let exchange) = mode, !exchange.responseDone else { return pools.timeouts.unwatch(self) }
        if proxy.isOverdue(
            at: now, requestSent: exchange.requestSent, upstreamPaused: exchange.isUpstreamPaused,
            lastUpstreamActivity: exchange.lastUpstreamActivity, deadline: exchange.deadline)
        {
            fail(exchange, code: .upstreamTimeout, cause: LoopProxyFailure.readTimeout)
        }
    }

    private func clientHead(_ head: HTTPResponseHead, of exchange: Exchange, contentLength: Int?) -> HTTPResponse {
        var fields = ProxyHeaders.clientResponseHeaders(head.headers)
        fields[.xRequestID] = exchange.plan.requestID
        fields[.date] = pools.date.current
        if let contentLength { fields[.contentLength] = String(contentLength) }
        return HTTPResponse(
            status: HTTPResponse.Status(code: Int(head.status.code), reasonPhrase: head.status.reasonPhrase),
            headerFields: fields)
    }

    private func record(_ exchange: Exchange, status: Int) {
        proxy.record(
            route: exchange.plan.route, status: status, elapsed: .now() - exchange.started, asBytes: false,
            recent: &recentSeries)
    }
}

/// Why an exchange failed, when no lower error says it.
enum LoopProxyFailure: Error, CustomStringConvertible {
    case readTimeout
    case connectionClosed

    var description: String {
        switch self {
        case .readTimeout: "the upstream did not answer within the read timeout"
        case .connectionClosed: "the upstream closed the connection before the response was complete"
        }
    }
}
