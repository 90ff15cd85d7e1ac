public import Hummingbird
import Logging
public import NIOCore

#if canImport(FoundationEssentials)
    public import FoundationEssentials
#else
    public import Foundation
#endif

/// The request context of every platform service: Hummingbird's core storage plus the
/// request id and, once `AuthenticationMiddleware` verified a token, the caller's identity.
public struct PlatformRequestContext: RequestContext, RemoteAddressRequestContext {
    /// Hummingbird's own per-request storage.
    public var coreContext: CoreRequestContextStorage
    /// The id of this request: the client's sane `X-Request-Id`, otherwise a generated one.
    /// `RequestIDMiddleware` sets it; until then it is Hummingbird's generated id.
    public var requestID: String
    /// The verified caller, or `nil` for a request without a token.
    public var identity: CallerIdentity?
    /// The peer of the connection (the gateway, for a proxied request); `nil` when unknown,
    /// as in router tests.
    public var remoteAddress: SocketAddress?

    /// Creates the context for a new request.
    /// - Parameter source: Where Hummingbird creates the context from (channel and logger).
    public init(source: ApplicationRequestContextSource) {
        coreContext = CoreRequestContextStorage(source: source)
        remoteAddress = source.channel.remoteAddress
        requestID = source.logger[metadataKey: "hb.request.id"]?.description ?? RequestIdentifier.generate()
    }

    /// JSON with sorted keys and RFC 3339 dates, so equal values give equal bytes.
    public var responseEncoder: JSONEncoder { .platform }
}

extension JSONEncoder {
    /// The platform's response encoder: sorted keys, RFC 3339 dates, unescaped slashes.
    static var platform: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
