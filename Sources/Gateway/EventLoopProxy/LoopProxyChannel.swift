import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import PlatformCore

/// Hummingbird's HTTP/1 child channel with a `LoopProxyHandler` right after its
/// connection-state handler, and — with the byte-level path on — a `WireProxyHandler`
/// before everything: requests the event-loop proxy takes never reach the router; all
/// others are served by the router exactly as by `HTTP1Channel`.
struct LoopProxyChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let http1: HTTP1Channel
    let proxy: LoopProxy

    var responder: HTTPChannelHandler.Responder { http1.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let proxy = self.proxy
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            if let pools = proxy.upstreams.pools(for: channel.eventLoop) {
                let stateHandler = try pipeline.handler(type: HTTPConnectionStateHandler.self)
                try pipeline.addHandler(LoopProxyHandler(proxy: proxy, pools: pools), position: .after(stateHandler))
                if proxy.usesWirePath {
                    try pipeline.addHandler(WireProxyHandler(proxy: proxy, pools: pools), position: .first)
                }
            }
            return value
        }
    }

    func handle(value: Value, logger: Logger) async {
        await handleHTTP(asyncChannel: value, logger: logger)
    }
}

extension HTTPServerBuilder {
    /// HTTP/1 with the gateway's event-loop proxy in front of the router.
    static func http1(loopProxy proxy: LoopProxy) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            LoopProxyChannel(http1: HTTP1Channel(responder: responder, configuration: .platform), proxy: proxy)
        }
    }
}
