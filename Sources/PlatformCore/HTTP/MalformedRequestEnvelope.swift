import HTTPTypes
public import HummingbirdCore
import NIOCore
import NIOHTTP1
import NIOHTTPTypes

/// Gives the answer to a message that is not valid HTTP/1.1 the platform's error envelope.
///
/// When the HTTP parser refuses the bytes (a bare CR or LF in a header, a folded line, a
/// NUL, an oversized head…), Hummingbird answers `400` with `Connection: close` and an
/// empty body, before any route or request id exists. This handler, in the HTTP/1 pipeline
/// after the parser, sees the parser's error pass and turns that answer into the
/// `VALIDATION_FAILED` envelope with a new request id in the body and `X-Request-Id`
/// (DESIGN §4: every error is an envelope); the connection still closes. Any other
/// response passes untouched.
final class MalformedRequestEnvelope: ChannelDuplexHandler, RemovableChannelHandler {
    typealias InboundIn = HTTPRequestPart
    typealias InboundOut = HTTPRequestPart
    typealias OutboundIn = HTTPResponsePart
    typealias OutboundOut = HTTPResponsePart

    /// The parser refused the input; the next 400 written is its answer.
    private var sawParserError = false
    /// The envelope body, written just before that answer's end.
    private var pendingBody: ByteBuffer?

    init() {}

    func errorCaught(context: ChannelHandlerContext, error: any Error) {
        if error is HTTPParserError { sawParserError = true }
        context.fireErrorCaught(error)
    }

    func write(context: ChannelHandlerContext, data: NIOAny, promise: EventLoopPromise<Void>?) {
        switch unwrapOutboundIn(data) {
        case .head(let head) where sawParserError && Self.isParserRefusal(head):
            sawParserError = false
            let requestID = RequestIdentifier.generate()
            var (envelope, body) = ErrorEnvelope.rendered(
                APIError(.validationFailed, message: "The request is not valid HTTP/1.1."), requestID: requestID)
            envelope.headerFields[.xRequestID] = requestID
            envelope.headerFields[.connection] = "close"
            pendingBody = body
            context.write(wrapOutboundOut(.head(envelope)), promise: promise)
        case .end where pendingBody != nil:
            if let body = pendingBody {
                pendingBody = nil
                context.write(wrapOutboundOut(.body(body)), promise: nil)
            }
            context.write(data, promise: promise)
        default:
            context.write(data, promise: promise)
        }
    }

    /// Hummingbird's own answer to a parser error: 400, `Connection: close`, an empty body
    /// and nothing else — never an application's 400, which is an envelope already (a
    /// parser error can arrive while an earlier request's answer is being written).
    private static func isParserRefusal(_ head: HTTPResponse) -> Bool {
        head.status == .badRequest && head.headerFields[.contentLength] == "0"
            && head.headerFields[.connection] == "close" && head.headerFields[.contentType] == nil
    }
}

extension HTTP1Channel.Configuration {
    /// HTTP/1 as every platform service serves it: with `MalformedRequestEnvelope`.
    public static var platform: Self {
        Self(additionalChannelHandlers: [MalformedRequestEnvelope()])
    }
}
