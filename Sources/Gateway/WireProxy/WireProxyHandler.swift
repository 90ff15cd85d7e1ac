import HTTPTypes
import Logging
import NIOCore
import PlatformCore
import Prometheus

/// The gateway's byte-level path: the first handler of a client connection, it reads
/// request heads straight from the bytes (`WireRequestHead`), and serves those
/// `LoopProxyPlanner.wirePlan` takes over a byte connection of the loop's pool — the
/// upstream head written as bytes, the answer's head read from bytes (`WireResponseHead`)
/// and passed on with hop-by-hop fields dropped and `X-Request-Id` and `Date` set — with no
/// HTTP codec, no HTTP types and no Swift task.
///
/// A request it would take but for its `Authorization` (none, a token that fails, too many
/// forged tokens from the client, none of the route's roles) it answers itself with the
/// router's answer (`RouteGuard`: 401 with `WWW-Authenticate`, 403, 429 with `Retry-After`,
/// or 503 while no key is loaded), dropping the request's body, and keeps the connection.
/// A token not in the cache yet is verified off the event loop first.
///
/// The first request it does not take (outside its subset of HTTP/1.1, a route or answer
/// the router gives) hands the connection to the pipeline after it, for good: the bytes
/// from that request's first byte on go to NIO's HTTP parser, `LoopProxyHandler` and the
/// router, as if this handler had never been there. That happens only between requests,
/// once every answer it owes is written.
///
/// While it holds the connection it does what Hummingbird's connection-state handler does
/// for the rest: at graceful shutdown it closes the connection when no exchange is in
/// flight, else once the answer is written; a client that half-closes gets the answer it
/// is owed, and it closes a connection owed no answer when no answer was written for the
/// idle timeout (`IdleWatch`; a trickled head is no activity), starting the codec path's
/// `IdleConnectionCloser` when it hands the connection on (the handlers after it see no
/// traffic while it holds the connection, so their own timers could not tell).
///
/// Answers are the codec path's: the upstream's status and reason, its fields minus
/// hop-by-hop ones, `X-Request-Id`, the gateway's `Date`; a body with a declared length up to
/// `UpstreamProxy.bufferedResponseLimit` is read whole before anything is written (so a
/// timeout or a broken connection is still a 504 / 502 envelope); a larger or chunked one
/// is passed on as it arrives, framed as the upstream framed it. Nothing is retried.
final class WireProxyHandler: ChannelDuplexHandler, RemovableChannelHandler, WireUpstreamReceiver,
    TimedExchangeOwner
{
    typealias InboundIn = ByteBuffer
    typealias InboundOut = ByteBuffer
    typealias OutboundIn = ByteBuffer
    typealias OutboundOut = ByteBuffer

    /// How an answer's body reaches the client once its head is written.
    private enum Streaming {
        case remaining(Int)
        case chunked(ChunkedBodyScanner)
        case untilClose
    }

    private enum ResponseState {
        case awaitingHead
        /// A declared body up to the buffered limit, read whole before the head is written.
        case buffering(clientHead: ByteBuffer, status: Int, bodyLength: Int, keepsAlive: Bool)
        case streaming(Streaming, status: Int, keepsAlive: Bool)
    }

    /// One proxied request and its answer.
    private final class Exchange {
        let plan: WireRequestPlan
        let pool: UpstreamConnectionPool<WireUpstreamConnection>
        let started: NIODeadline
        let deadline: NIODeadline
        var connection: WireUpstreamConnection?
        /// Body bytes read before the upstream connection was there.
        var pendingBody: [ByteBuffer] = []
        /// Body bytes of the client's request still to come.
        var bodyRemaining: Int
        /// The whole request was written upstream.
        var requestSent = false
        var lastUpstreamActivity: NIODeadline
        /// The upstream's bytes not passed on yet. Like `pendingBody` (and the handler's
        /// `inbound`), never read or changed in place across code outside this module: it is
        /// copied out to be read, or to be changed and stored back. Every access is then so
        /// short that the compiler proves no two overlap, and checks none at run time.
        var received = ByteBuffer()
        var response = ResponseState.awaitingHead
        var isUpstreamPaused = false
        /// The client has its whole answer (or the exchange was abandoned).
        var responseDone = false

        init(
            plan: WireRequestPlan, pool: UpstreamConnectionPool<WireUpstreamConnection>, started: NIODeadline,
            deadline: NIODeadline
        ) {
            self.plan = plan
            self.pool = pool
            self.started = started
            self.deadline = deadline
            self.lastUpstreamActivity = started
            self.bodyRemaining = plan.bodyLength
        }

        /// Marks the answer done and lets go of the upstream connection: back to the pool
        /// when it can carry another request, else closed.
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

    private enum State {
        /// Between requests (the buffer may hold the start of the next head).
        case waiting
        /// A request's token is being verified (it was not in the cache yet); its bytes wait.
        case verifying(PendingVerification)
        case exchanging(Exchange)
        /// A request was answered here without its body (`WireDecision.refuse`): this many of
        /// its body's bytes are still to be read and dropped.
        case droppingBody(Int)
        /// Handed to the pipeline after it; removed.
        case handedOff
    }

    /// The request whose token is being verified: answered here if the token fails. A class,
    /// so `State` stays a word and a tag (it is read several times a request).
    private final class PendingVerification {
        let request: WireRequestOutline
        let headLength: Int
        let started: NIODeadline

        init(request: WireRequestOutline, headLength: Int, started: NIODeadline) {
            self.request = request
            self.headLength = headLength
            self.started = started
        }
    }

    private let proxy: LoopProxy
    private let pools: LoopPools
    private var context: ChannelHandlerContext?
    private var state = State.waiting
    /// The client's bytes not consumed yet: the start of a head, body bytes, or pipelined
    /// requests waiting for the answer in flight. Worked on out of place, as
    /// `Exchange.received` is.
    private var inbound = ByteBuffer()
    private var readPending = false
    /// The metrics series of this connection's last answer.
    private var recentSeries = RecentSeries()
    /// Graceful shutdown asked for the connection to close once the answer is written.
    private var closesAfterAnswer = false
    /// The client half-closed while an answer was owed: passed on once it is written.
    private var deferredInputClosed = false
    /// What the connection keeps from one request to the next to spare work; taken out while
    /// a request is read and planned, and put back (held in place across the planner, every
    /// access to it would be checked at run time; see `inbound`).
    private var requestScratch: RequestScratch? = RequestScratch()
    /// Memory for the heads this connection writes to the client, reused from answer to
    /// answer (at most `ReusableHeadBuffer.reuseLimit` bytes).
    private var clientHeads = ReusableHeadBuffer()
    /// Memory for the fields of the answers' heads, reused likewise (as large as the most
    /// fields one head had: at most 128). Worked on out of place, as `inbound` is.
    private var responseFields: [WireResponseHead.Field] = []
    /// The client's IP address, for `X-Forwarded-For` (looked up once per connection).
    private lazy var clientAddress: String? = context?.channel.remoteAddress?.ipAddress

    /// Closes the connection when it stays silent; `nil` without an idle timeout.
    private let idleWatch: IdleWatch?

    init(proxy: LoopProxy, pools: LoopPools) {
        self.proxy = proxy
        self.pools = pools
        idleWatch = proxy.idleTimeout.map(IdleWatch.init(timeout:))
    }

    // MARK: Client side

    func handlerAdded(context: ChannelHandlerContext) {
        self.context = context
        if context.channel.isActive { watchIdleness(context: context) }
    }

    func handlerRemoved(context: ChannelHandlerContext) {
        idleWatch?.stop()
        abandonExchange()
        self.context = nil
    }

    func channelActive(context: ChannelHandlerContext) {
        watchIdleness(context: context)
        context.fireChannelActive()
    }

    /// Starts the idle timer. Activity is an answer written (`finish`); a token being
    /// verified or an answer still owed is never idle. Bytes read are not activity, so a
    /// client trickling a head in is closed like a silent one (and one that stops sending a
    /// body after its answer, too).
    private func watchIdleness(context: ChannelHandlerContext) {
        // Unowned, not weak: a weak reference would move this handler's reference counts to a
        // side table, slowing every retain and release of it. The watch stops (dropping the
        // closure) when the handler leaves the pipeline, before it can go away.
        idleWatch?.start(context: context) { [unowned self] in
            switch state {
            case .verifying: true
            case .exchanging(let exchange): !exchange.responseDone
            case .waiting, .droppingBody, .handedOff: false
            }
        }
    }

    func channelInactive(context: ChannelHandlerContext) {
        idleWatch?.stop()
        abandonExchange()
        if case .verifying = state { state = .waiting }  // a verification ending now finds nothing to do
        context.fireChannelInactive()
    }

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        switch state {
        case .exchanging, .verifying, .droppingBody: break
        case .waiting, .handedOff: return context.fireErrorCaught(error)
        }
        // The connection itself failed: nothing more can be answered on it.
        abandonExchange()
        context.close(promise: nil)
    }

    func userInboundEventTriggered(context: ChannelHandlerContext, event: Any) {
        switch event {
        case is ChannelShouldQuiesceEvent:
            // Graceful shutdown, as Hummingbird's connection-state handler does it: the
            // handlers after this one have seen no request, so the event stops here.
            switch state {
            case .exchanging, .verifying, .droppingBody: closesAfterAnswer = true
            case .waiting, .handedOff: context.close(promise: nil)
            }
        case ChannelEvent.inputClosed:
            switch state {
            case .exchanging(let exchange) where exchange.bodyRemaining > 0:
                // The body can never be complete: dropped, as when the client disconnects.
                abandonExchange()
                context.close(promise: nil)
            case .droppingBody:
                context.close(promise: nil)
            case .exchanging, .verifying:
                deferredInputClosed = true
            case .waiting, .handedOff:
                handOff(context: context, then: event)
            }
        default:
            context.fireUserInboundEventTriggered(event)
        }
    }

    func channelRead(context: ChannelHandlerContext, data: NIOAny) {
        let bytes = unwrapInboundIn(data)
        if inbound.readableBytes == 0 {
            inbound = bytes
        } else {
            // Grown out of place (see `inbound`).
            var buffered = inbound
            inbound = bytes  // a placeholder: `buffered` is now the only holder
            buffered.writeImmutableBuffer(bytes)
            inbound = buffered
        }
        switch state {
        case .waiting: processInbound(context: context)
        case .exchanging(let exchange): forwardBody(of: exchange, context: context)
        case .droppingBody: if dropRefusedBody() { finish(context: context) }
        case .verifying, .handedOff: break
        }
    }

    /// Nothing after this handler has read anything while it holds the connection: the
    /// read-complete stops here (it would cross the whole HTTP pipeline for nothing), and the
    /// next read is asked for from here. The channel then skips its automatic read, which
    /// starts at the pipeline's tail and crosses every handler after this one to get here.
    func channelReadComplete(context: ChannelHandlerContext) {
        if case .handedOff = state { return context.fireChannelReadComplete() }
        read(context: context)
    }

    /// Holds reads while a pipelined request waits for the answer in flight; a client that
    /// does not pipeline never has its reads held.
    func read(context: ChannelHandlerContext) {
        switch state {
        case .exchanging(let exchange) where exchange.bodyRemaining == 0 && inbound.readableBytes > 0:
            readPending = true
        case .verifying:
            readPending = true
        case .waiting where !context.channel.isWritable, .droppingBody where !context.channel.isWritable:
            // Requests answered here (refused) are read no faster than the client takes the
            // answers: resumed in `channelWritabilityChanged`.
            readPending = true
        default:
            context.read()
        }
    }

    /// A slow client of a streamed answer holds the upstream back instead of the gateway
    /// buffering the answer for it; one that does not read the answers to requests refused
    /// here has its requests read once it does.
    func channelWritabilityChanged(context: ChannelHandlerContext) {
        switch state {
        case .exchanging(let exchange):
            if case .streaming = exchange.response, let connection = exchange.connection {
                let paused = !context.channel.isWritable
                if paused != exchange.isUpstreamPaused {
                    exchange.isUpstreamPaused = paused
                    exchange.lastUpstreamActivity = .now()
                    connection.setReadingPaused(paused)
                }
            }
        case .waiting where context.channel.isWritable:
            processInbound(context: context)
            resumeHeldRead(context: context)
        case .droppingBody where context.channel.isWritable:
            resumeHeldRead(context: context)
        case .waiting, .droppingBody, .verifying, .handedOff:
            break
        }
        context.fireChannelWritabilityChanged()
    }

    /// Takes the requests at the front of `inbound` while they are ones the wire path
    /// serves; hands the connection off at the first one it does not.
    /// - Parameter mayVerify: Whether a token not in the cache may be verified first (not
    ///   again for the request whose token was just verified).
    private func processInbound(context: ChannelHandlerContext, mayVerify: Bool = true) {
        var mayVerify = mayVerify
        while case .waiting = state, inbound.readableBytes > 0 {
            enum Decision {
                case wait
                case handOff
                // Boxed: the decision for a request taken stays as small as it was.
                indirect case verify(String, WireRequestOutline, headLength: Int)
                indirect case refuse(APIError, WireRequestOutline, headLength: Int)
                case begin(WireRequestPlan, UpstreamConnectionPool<WireUpstreamConnection>, headLength: Int)
            }
            let buffered = inbound
            var scratch = requestScratch.take() ?? RequestScratch()
            let decision = buffered.withUnsafeReadableBytes { bytes -> Decision in
                switch WireRequestHead.parse(
                    bytes, reusing: &scratch.fields, knownLine: scratch.authorizationMemo.line)
                {
                case .incomplete:
                    return .wait
                case .refused:
                    return .handOff
                case .parsed(let head):
                    switch proxy.planner.wirePlan(
                        head, bytes: bytes, clientAddress: clientAddress, headBuffer: &scratch.upstreamHeads,
                        mayVerify: mayVerify, memo: &scratch.authorizationMemo)
                    {
                    case .take(let plan):
                        // At the pool's limit the exchange waits for a connection (handing
                        // the connection off would be for good).
                        guard let pool = scratch.recentPool.pool(for: plan.route, in: pools) else {
                            return .handOff
                        }
                        return .begin(plan, pool, headLength: head.length)
                    case .verifyFirst(let token, let request):
                        return .verify(token, request, headLength: head.length)
                    case .refuse(let error, let request):
                        return .refuse(error, request, headLength: head.length)
                    case .leave:
                        return .handOff
                    }
                }
            }
            requestScratch = consume scratch
            mayVerify = true  // only the first request was just verified
            switch decision {
            case .wait:
                return
            case .handOff:
                return handOff(context: context, then: nil)
            case .verify(let token, let request, let headLength):
                return verify(token, for: request, headLength: headLength, context: context)
            case .refuse(let error, let request, let headLength):
                // The next request, if any, is read in this loop (pipelined refusals never
                // recurse).
                // A client not reading its answers is read no further for now (`read`).
                guard refuse(request, with: error, headLength: headLength, since: .now(), context: context),
                    answerEnded(context: context), context.channel.isWritable
                else { return }
            case .begin(let plan, let pool, let headLength):
                inbound.moveReaderIndex(forwardBy: headLength)
                begin(plan, pool: pool, context: context)
            }
        }
    }

    /// Verifies a token that is not in the cache yet (filling it), off the event loop, then
    /// asks the planner again; meanwhile the request's bytes and any after them wait.
    private func verify(
        _ token: String, for request: WireRequestOutline, headLength: Int, context: ChannelHandlerContext
    ) {
        let verifier = proxy.planner.verifier
        let client = clientAddress
        let logger = proxy.requestLogger(forDebug: request.requestID)
        state = .verifying(PendingVerification(request: request, headLength: headLength, started: .now()))
        let eventLoop = context.eventLoop
        let handler = NIOLoopBound(self, eventLoop: eventLoop)
        Task {
            var failure: APIError?
            do {
                _ = try await verifier.verify(token, client: client, logger: logger)
            } catch {
                failure = APIError.translating(error)
            }
            eventLoop.execute { [failure] in handler.value.verificationEnded(failure: failure) }
        }
    }

    /// A valid token is now in the cache: the request is planned again (and taken, if the
    /// token holds the route's role). A token that failed gets the router's answer here.
    private func verificationEnded(failure: APIError?) {
        guard case .verifying(let pending) = state, let context else { return }
        state = .waiting
        if let failure {
            let answer = proxy.planner.answer(toTokenFailure: failure)
            if refuse(
                pending.request, with: answer, headLength: pending.headLength, since: pending.started, context: context)
            {
                finish(context: context)
            }
        } else if !deferredInputClosed {
            processInbound(context: context, mayVerify: false)
        } else {
            handOff(context: context, then: nil)
        }
        resumeHeldRead(context: context)  // held while the token was checked
    }

    /// Answers the request at the front of `inbound` with `error` (the router's answer for
    /// its `Authorization`), without forwarding it, then drops its body.
    /// - Returns: Whether the body is dropped whole already (else `.droppingBody` waits for
    ///   the rest).
    private func refuse(
        _ request: WireRequestOutline, with error: APIError, headLength: Int, since started: NIODeadline,
        context: ChannelHandlerContext
    ) -> Bool {
        inbound.moveReaderIndex(forwardBy: headLength)
        let requestID = request.requestID.string
        proxy.logRefusal(error, requestID: requestID)
        // Counted before it is written: a client that has the answer sees it counted.
        proxy.recordRefusal(
            route: request.route, status: error.status.code, elapsed: .now() - started, recent: &recentSeries)
        writeEnvelope(error, requestID: requestID, context: context)
        idleWatch?.sawActivity = true  // an answer was written, even if its body is still owed
        state = .droppingBody(request.bodyLength)
        guard dropRefusedBody() else {
            // A client that half-closed can never send the rest.
            if deferredInputClosed { context.close(promise: nil) }
            return false
        }
        return true
    }

    /// Drops what has arrived of the body of a request answered without it.
    /// - Returns: Whether all of it is gone (the connection then waits for the next request).
    private func dropRefusedBody() -> Bool {
        guard case .droppingBody(let remaining) = state else { return true }
        let dropped = min(remaining, inbound.readableBytes)
        inbound.moveReaderIndex(forwardBy: dropped)
        state = dropped == remaining ? .waiting : .droppingBody(remaining - dropped)
        return dropped == remaining
    }

    /// Passes on a `read` held back while a request waited, unless it must still wait
    /// (`read` decides again).
    private func resumeHeldRead(context: ChannelHandlerContext) {
        guard readPending else { return }
        readPending = false
        read(context: context)
    }

    /// Gives the connection to the handlers after this one, with the bytes not consumed
    /// (from the first byte of a request on) and the events it held back, then leaves the
    /// pipeline.
    private func handOff(context: ChannelHandlerContext, then event: Any?) {
        guard case .waiting = state else { return }
        state = .handedOff
        let bytes = inbound
        inbound = ByteBuffer()
        if bytes.readableBytes > 0 {
            context.fireChannelRead(wrapInboundOut(bytes))
            context.fireChannelReadComplete()
        }
        if let event { context.fireUserInboundEventTriggered(event) }
        if deferredInputClosed {
            deferredInputClosed = false
            context.fireUserInboundEventTriggered(ChannelEvent.inputClosed)
        }
        if closesAfterAnswer {
            // Graceful shutdown began while a request waited: the router answers it, then closes.
            context.fireUserInboundEventTriggered(ChannelShouldQuiesceEvent())
        }
        resumeHeldRead(context: context)
        if let idleWatch {
            // The handlers after this one saw no traffic: their closer watches from now on.
            idleWatch.stop()
            (try? context.pipeline.syncOperations.handler(type: IdleConnectionCloser.self))?.startWatching()
        }
        context.pipeline.syncOperations.removeHandler(context: context, promise: nil)
    }

    /// Passes on the body bytes of the request in flight; drops those of a request already
    /// answered.
    private func forwardBody(of exchange: Exchange, context: ChannelHandlerContext) {
        guard exchange.bodyRemaining > 0 else { return }
        let taken = min(exchange.bodyRemaining, inbound.readableBytes)
        guard taken > 0 else { return }
        var buffered = inbound  // read out of place (see `inbound`)
        guard let slice = buffered.readSlice(length: taken) else { return }
        inbound = buffered
        exchange.bodyRemaining -= taken
        if !exchange.responseDone {
            if let connection = exchange.connection {
                connection.write(slice)
                connection.flush()
                if exchange.bodyRemaining == 0 {
                    exchange.requestSent = true
                    exchange.lastUpstreamActivity = .now()
                }
            } else {
                // Grown out of place (see `Exchange.received`).
                var pending = exchange.pendingBody
                exchange.pendingBody = []
                pending.append(slice)
                exchange.pendingBody = pending
            }
        }
        if exchange.bodyRemaining == 0, exchange.responseDone {
            finish(context: context)
        }
    }

    /// The exchange is over on both sides: take the next request, or close.
    private func finish(context: ChannelHandlerContext) {
        guard answerEnded(context: context) else { return }
        processInbound(context: context)
        if case .waiting = state, deferredInputClosed {
            return handOff(context: context, then: nil)
        }
        resumeHeldRead(context: context)
    }

    /// A request is answered and read whole: the connection waits for the next one, or
    /// closes (graceful shutdown began).
    /// - Returns: Whether it stays open.
    private func answerEnded(context: ChannelHandlerContext) -> Bool {
        state = .waiting
        idleWatch?.sawActivity = true  // the answer was written: silence counts from now
        guard !closesAfterAnswer else {
            context.close(promise: nil)
            return false
        }
        return true
    }

    // MARK: Exchange

    private func begin(
        _ plan: WireRequestPlan, pool: UpstreamConnectionPool<WireUpstreamConnection>, context: ChannelHandlerContext
    ) {
        let now = NIODeadline.now()
        let exchange = Exchange(plan: plan, pool: pool, started: now, deadline: now + proxy.deadline)
        state = .exchanging(exchange)
        // An exchange's end leaves the handler watched: the first sweep that finds no
        // exchange in flight unwatches it. A keep-alive client's next request, usually there
        // before that sweep, then finds it still watched.
        if watchSlot == nil { pools.timeouts.watch(self) }
        // Body bytes already read go out with the head (one write to the upstream).
        forwardBody(of: exchange, context: context)
        if let connection = pool.takeIdleConnection() {
            return send(exchange, over: connection, at: now)
        }
        // Held until the lease ends (bounded by the exchange's deadline): a weak capture would
        // make every later retain of this handler take the runtime's slow path.
        pool.lease { result in
            guard case .exchanging(let current) = self.state, current === exchange, !exchange.responseDone else {
                if case .success(let connection) = result { pool.release(connection) }
                return
            }
            switch result {
            case .success(let connection):
                self.send(exchange, over: connection, at: .now())
            case .failure(let error):
                self.fail(exchange, code: LoopProxy.failureCode(connecting: error), cause: error)
            }
        }
    }

    private func send(_ exchange: Exchange, over connection: WireUpstreamConnection, at now: NIODeadline) {
        exchange.connection = connection
        exchange.lastUpstreamActivity = now
        connection.receiver = self
        connection.write(exchange.plan.upstreamHead)
        if !exchange.pendingBody.isEmpty {
            for buffer in exchange.pendingBody {
                connection.write(buffer)
            }
            exchange.pendingBody = []
        }
        exchange.requestSent = exchange.bodyRemaining == 0
        connection.flush()
    }

    func upstreamReceived(_ bytes: ByteBuffer) {
        guard case .exchanging(let exchange) = state, !exchange.responseDone, let context else { return }
        exchange.lastUpstreamActivity = .now()
        switch exchange.response {
        case .awaitingHead:
            append(bytes, to: exchange)
            readHead(of: exchange, context: context)
        case .buffering:
            append(bytes, to: exchange)
            completeBufferedAnswer(of: exchange, context: context)
        case .streaming:
            var bytes = bytes
            passOn(&bytes, of: exchange, context: context)
        }
    }

    private func append(_ bytes: ByteBuffer, to exchange: Exchange) {
        if exchange.received.readableBytes == 0 {
            exchange.received = bytes
        } else {
            // Grown out of place (see `Exchange.received`).
            var received = exchange.received
            exchange.received = bytes  // a placeholder: `received` is now the only holder
            received.writeImmutableBuffer(bytes)
            exchange.received = received
        }
    }

    func upstreamClosed() {
        guard case .exchanging(let exchange) = state, !exchange.responseDone, let context else { return }
        exchange.connection = nil
        if case .streaming(.untilClose, let status, _) = exchange.response {
            // The close is the end of this answer; the client's connection closes after it
            // (its head said so).
            closesAfterAnswer = true
            return complete(exchange, status: status, reusingConnection: false, context: context)
        }
        fail(exchange, code: .upstreamUnavailable, cause: LoopProxyFailure.connectionClosed)
    }

    /// Reads the answer's head from `received` (skipping 1xx interim answers) and decides
    /// how its body is passed on.
    private func readHead(of exchange: Exchange, context: ChannelHandlerContext) {
        while true {
            let received = exchange.received
            var fields: [WireResponseHead.Field] = []
            swap(&fields, &responseFields)
            let outcome = received.withUnsafeReadableBytes { WireResponseHead.parse($0, reusing: &fields) }
            responseFields = fields
            switch outcome {
            case .incomplete:
                return
            case .malformed:
                return fail(exchange, code: .upstreamUnavailable, cause: WireProxyFailure.malformedAnswer)
            case .parsed(let head) where head.status < 200:
                // 101 would switch protocols, which the gateway never asked for.
                guard head.status != 101 else {
                    return fail(exchange, code: .upstreamUnavailable, cause: WireProxyFailure.malformedAnswer)
                }
                exchange.received.moveReaderIndex(forwardBy: head.length)
            case .parsed(let head):
                return beginAnswer(head, of: exchange, context: context)
            }
        }
    }

    private func beginAnswer(_ head: WireResponseHead, of exchange: Exchange, context: ChannelHandlerContext) {
        // A buffered body already read goes out in the head's buffer: one write, not two.
        var bodyInHand = 0
        if case .length(let length) = head.framing, length <= UpstreamProxy.bufferedResponseLimit,
            exchange.received.readableBytes - head.length >= length
        {
            bodyInHand = length
        }
        let received = exchange.received
        let written = received.withUnsafeReadableBytes { bytes in
            self.clientHead(
                head, bytes: bytes, requestID: exchange.plan.requestID,
                body: head.length..<(head.length + bodyInHand))
        }
        guard let clientHead = written else {
            return fail(exchange, code: .upstreamUnavailable, cause: WireProxyFailure.malformedAnswer)
        }
        exchange.received.moveReaderIndex(forwardBy: head.length + bodyInHand)
        switch head.framing {
        case .none, .length(bodyInHand):  // no body, or all of it written with the head
            context.write(wrapOutboundOut(clientHead), promise: nil)
            complete(
                exchange, status: head.status,
                reusingConnection: head.keepsAlive && exchange.received.readableBytes == 0, context: context)
        case .length(let length) where length <= UpstreamProxy.bufferedResponseLimit:
            exchange.response = .buffering(
                clientHead: clientHead, status: head.status, bodyLength: length, keepsAlive: head.keepsAlive)
            completeBufferedAnswer(of: exchange, context: context)
        case .length(let length):
            startStreaming(.remaining(length), head: head, clientHead: clientHead, of: exchange, context: context)
        case .chunked:
            startStreaming(
                .chunked(ChunkedBodyScanner()), head: head, clientHead: clientHead, of: exchange, context: context)
        case .untilClose:
            startStreaming(.untilClose, head: head, clientHead: clientHead, of: exchange, context: context)
        }
    }

    private func startStreaming(
        _ streaming: Streaming, head: WireResponseHead, clientHead: ByteBuffer, of exchange: Exchange,
        context: ChannelHandlerContext
    ) {
        exchange.response = .streaming(streaming, status: head.status, keepsAlive: head.keepsAlive)
        context.write(wrapOutboundOut(clientHead), promise: nil)
        var rest = exchange.received
        exchange.received = ByteBuffer()
        passOn(&rest, of: exchange, context: context)
    }

    /// Writes the answer once its whole body is in.
    private func completeBufferedAnswer(of exchange: Exchange, context: ChannelHandlerContext) {
        guard case .buffering(let clientHead, let status, let bodyLength, let keepsAlive) = exchange.response,
            exchange.received.readableBytes >= bodyLength
        else { return }
        context.write(wrapOutboundOut(clientHead), promise: nil)
        if bodyLength > 0 {
            var received = exchange.received  // read out of place (see `Exchange.received`)
            if let body = received.readSlice(length: bodyLength) {
                context.write(wrapOutboundOut(body), promise: nil)
            }
            exchange.received = received
        }
        complete(
            exchange, status: status, reusingConnection: keepsAlive && exchange.received.readableBytes == 0,
            context: context)
    }

    /// Passes on streamed body bytes, up to the end of the body.
    private func passOn(_ bytes: inout ByteBuffer, of exchange: Exchange, context: ChannelHandlerContext) {
        guard case .streaming(var streaming, let status, let keepsAlive) = exchange.response else { return }
        let taken: Int
        let isOver: Bool
        switch streaming {
        case .remaining(let remaining):
            taken = min(remaining, bytes.readableBytes)
            streaming = .remaining(remaining - taken)
            isOver = remaining == taken
        case .chunked(var scanner):
            do {
                taken = try bytes.withUnsafeReadableBytes { try scanner.scan($0) }
            } catch {
                return fail(exchange, code: .upstreamUnavailable, cause: WireProxyFailure.malformedAnswer)
            }
            isOver = scanner.isDone
            streaming = .chunked(scanner)
        case .untilClose:
            taken = bytes.readableBytes
            isOver = false
        }
        exchange.response = .streaming(streaming, status: status, keepsAlive: keepsAlive)
        if taken > 0, let slice = bytes.readSlice(length: taken) {
            context.write(wrapOutboundOut(slice), promise: nil)
        }
        if isOver {
            complete(
                exchange, status: status, reusingConnection: keepsAlive && bytes.readableBytes == 0, context: context)
        } else {
            context.flush()
        }
    }

    /// The answer is written: record it, let go of the upstream connection, and take the
    /// next request once the client's request has been read whole.
    private func complete(
        _ exchange: Exchange, status: Int, reusingConnection: Bool, context: ChannelHandlerContext
    ) {
        exchange.end(reusingConnection: reusingConnection && exchange.requestSent)
        record(exchange, status: status)
        context.flush()
        if exchange.bodyRemaining == 0 { finish(context: context) }
    }

    /// The exchange failed before the client had its answer: 502 / 504 envelope, or — if
    /// the head was already written — the client connection is closed.
    private func fail(_ exchange: Exchange, code: APIError.Code, cause: any Error) {
        guard let context else { return }
        exchange.end(reusingConnection: false)
        let apiError = APIError(code)
        let requestID = exchange.plan.requestID.string
        proxy.logFailure(apiError, cause: cause, service: exchange.plan.route.service, requestID: requestID)
        record(exchange, status: apiError.status.code)
        if case .streaming = exchange.response {
            context.close(promise: nil)
            return
        }
        writeEnvelope(apiError, requestID: requestID, context: context)
        if exchange.bodyRemaining == 0 { finish(context: context) }
    }

    /// Writes the error envelope of `apiError` as a whole answer, stamped with the request
    /// id and the gateway's `Date` (and `Connection: close` when the connection closes after
    /// it), and flushes.
    private func writeEnvelope(_ apiError: APIError, requestID: String, context: ChannelHandlerContext) {
        var (head, body) = proxy.envelopeAnswer(apiError, requestID: requestID, date: pools.date.current)
        if closesAfterAnswer { head.headerFields[.connection] = "close" }
        var bytes = context.channel.allocator.buffer(capacity: 256 + body.readableBytes)
        bytes.writeStaticString("HTTP/1.1 ")
        bytes.writeString(String(head.status.code))
        bytes.writeStaticString(" ")
        bytes.writeString(head.status.reasonPhrase)
        bytes.writeStaticString("\r\n")
        for field in head.headerFields {
            bytes.writeString(field.name.rawName)
            bytes.writeStaticString(": ")
            bytes.writeString(field.value)
            bytes.writeStaticString("\r\n")
        }
        bytes.writeStaticString("\r\n")
        bytes.writeBuffer(&body)
        context.writeAndFlush(wrapOutboundOut(bytes), promise: nil)
    }

    /// The client is gone (or the handler removed): drop the exchange and its connection,
    /// and leave the timeouts' watch.
    private func abandonExchange() {
        if case .exchanging(let exchange) = state {
            exchange.end(reusingConnection: false)
            state = .waiting
        }
        pools.timeouts.unwatch(self)
    }

    /// Its place in `ExchangeTimeouts` while watched.
    var watchSlot: Int?

    /// Called by `ExchangeTimeouts`: a 504 when the upstream has been silent for the read
    /// timeout since the request was sent, or the exchange has run past its deadline.
    func timeOutExchange(ifOverdueAt now: NIODeadline) {
        guard case .exchanging(let exchange) = state, !exchange.responseDone else {
            return pools.timeouts.unwatch(self)
        }
        if proxy.isOverdue(
            at: now, requestSent: exchange.requestSent, upstreamPaused: exchange.isUpstreamPaused,
            lastUpstreamActivity: exchange.lastUpstreamActivity, deadline: exchange.deadline)
        {
            fail(exchange, code: .upstreamTimeout, cause: LoopProxyFailure.readTimeout)
        }
    }

    // MARK: Answer heads

    /// Fields of the upstream's head never passed on: hop-by-hop ones, and those the gateway
    /// sets itself.
    private static let droppedResponseFields = WireNameTable(
        ProxyHeaders.hopByHop.union(ProxyHeaders.replacedOnResponse))

    /// The client's head: the upstream's status line and fields (minus those dropped), the
    /// gateway's `X-Request-Id` and `Date`, and the framing field the body is passed on with
    /// (as the upstream framed it; a close-delimited body says `Connection: close`).
    /// - Parameter body: Bytes of `bytes` written after the head (a whole buffered body).
    private func clientHead(
        _ head: WireResponseHead, bytes: UnsafeRawBufferPointer, requestID: WireRequestID, body: Range<Int>
    ) -> ByteBuffer? {
        let dateField = pools.date.currentField
        let closes = closesAfterAnswer || head.framing == .untilClose
        // The upstream's status line and fields (at most its head's length, plus the space
        // after each name's colon), and these.
        let bound = head.length + head.fields.count + requestID.byteCount + dateField.count + 128 + body.count
        var isComplete = false
        let buffer = clientHeads.write(bound: bound) { memory in
            var out = WireHeadWriter(memory)
            out.append("HTTP/1.1 ")
            out.append(UnsafeRawBufferPointer(rebasing: bytes[9..<12]))
            out.append(" ")
            out.append(UnsafeRawBufferPointer(rebasing: bytes[head.reason]))
            out.append("\r\n")
            let droppedResponseFields = Self.droppedResponseFields
            for field in head.fields {
                if droppedResponseFields.contains(bytes, field.name) { continue }
                if !head.connectionNamed.isEmpty, head.connectionNamed.contains(WireBytes.lowercased(bytes, field.name))
                {
                    continue
                }
                out.append(field, of: bytes)
            }
            out.append(field: "X-Request-Id: ", requestID)
            out.append(dateField)
            switch head.framing {
            case .none, .untilClose: break
            case .length(let length):
                out.append("Content-Length: ")
                out.append(decimal: length)
                out.append("\r\n")
            case .chunked:
                out.append("Transfer-Encoding: chunked\r\n")
            }
            if closes {
                out.append("Connection: close\r\n")
            }
            out.append("\r\n")
            out.append(UnsafeRawBufferPointer(rebasing: bytes[body]))
            isComplete = !out.overflowed
            return isComplete ? out.count : 0
        }
        // Never expected (the bound covers every piece): the answer is then a 502.
        return isComplete ? buffer : nil
    }

    private func record(_ exchange: Exchange, status: Int) {
        proxy.record(
            route: exchange.plan.route, status: status, elapsed: .now() - exchange.started, asBytes: true,
            recent: &recentSeries)
    }
}

/// What a connection keeps from one request to the next to spare work: the array its
/// request heads' fields are read into, the memory its upstream heads are written into, the
/// last token it sent that the cache knew (see `AuthorizationMemo`), and the pool of the
/// last route it called.
private struct RequestScratch {
    var fields: [WireRequestHead.Field] = []
    var upstreamHeads = ReusableHeadBuffer()
    var authorizationMemo = AuthorizationMemo()
    var recentPool = RecentWirePool()
}

/// Why a wire exchange failed, besides `LoopProxyFailure`.
enum WireProxyFailure: Error, CustomStringConvertible {
    case malformedAnswer

    var description: String {
        switch self {
        case .malformedAnswer: "the upstream's answer is not HTTP/1.1 the gateway can read"
        }
    }
}
