import HTTPTypes
import Hummingbird
import HummingbirdCore
import Logging
import NIOCore
import NIOHTTPTypes
import PlatformCore

/// Hummingbird's HTTP/1 child channel as the gateway serves it: with the event-loop proxy
/// on, a `LoopProxyHandler` right after the connection-state handler and — with the
/// byte-level path on — a `WireProxyHandler` before the rest: requests the event-loop proxy
/// takes never reach the router; all others are served by the router exactly as by
/// `HTTP1Channel`. With an idle timeout, an `IdleConnectionCloser` watches for silence
/// after the connection-state handler — once the `WireProxyHandler` hands the connection
/// on, when there is one (it watches the connection itself until then).
struct GatewayChannel: ServerChildChannel, HTTPChannelHandler {
    typealias Value = NIOAsyncChannel<HTTPRequestPart, HTTPResponsePart>

    let http1: HTTP1Channel
    /// The event-loop proxy; `nil` serves every request through the router.
    let proxy: LoopProxy?
    /// When a silent connection is closed; `nil` for never.
    let idleTimeout: TimeAmount?

    var responder: HTTPChannelHandler.Responder { http1.responder }

    func setup(channel: any Channel, logger: Logger) -> EventLoopFuture<Value> {
        let proxy = self.proxy
        let idleTimeout = self.idleTimeout
        return http1.setup(channel: channel, logger: logger).flatMapThrowing { value in
            let pipeline = channel.pipeline.syncOperations
            let stateHandler = try pipeline.handler(type: HTTPConnectionStateHandler.self)
            let pools = proxy.flatMap { $0.upstreams.pools(for: channel.eventLoop) }
            let startsOnWirePath = pools != nil && proxy?.usesWirePath == true
            // The closer, if any, goes between the state handler and `LoopProxyHandler`: it
            // sees the requests and answers of both the event-loop proxy and the router.
            var lastBeforeProxy: any ChannelHandler = stateHandler
            if let idleTimeout {
                let closer = IdleConnectionCloser(timeout: idleTimeout, watching: !startsOnWirePath)
                try pipeline.addHandler(closer, position: .after(stateHandler))
                lastBeforeProxy = closer
            }
            if let proxy, let pools {
                try pipeline.addHandler(
                    LoopProxyHandler(proxy: proxy, pools: pools), position: .after(lastBeforeProxy))
                if startsOnWirePath {
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
    /// HTTP/1 as the gateway serves it (`GatewayChannel`).
    /// - Parameters:
    ///   - proxy: The event-loop proxy in front of the router; `nil` for none.
    ///   - idleTimeout: When a silent client connection is closed; `nil` for never.
    static func gateway(loopProxy proxy: LoopProxy?, idleTimeout: TimeAmount?) -> HTTPServerBuilder {
        HTTPServerBuilder { responder in
            GatewayChannel(
                http1: HTTP1Channel(responder: responder, configuration: .platform), proxy: proxy,
                idleTimeout: idleTimeout)
        }
    }
}
