public import Hummingbird
public import HummingbirdCore
public import Logging
import NIOCore
public import ServiceLifecycle

/// Called once a service's server is listening, with the port it bound (the chosen one
/// when the configuration asked for port 0).
public typealias ServerRunningHandler = @Sendable (_ port: Int) async -> Void

extension Application where Responder == RouterResponder<PlatformRequestContext> {
    /// The Hummingbird application of a platform service: `router` served on `http`, with
    /// `onServerRunning` told the bound port.
    /// - Parameters:
    ///   - router: The service's router, with the platform middleware and its routes.
    ///   - http: Where to listen.
    ///   - logger: The application's logger; each request's logger derives from it.
    ///   - onServerRunning: Told the bound port once the server listens.
    ///   - server: The child-channel setup; HTTP/1 with the platform's handlers by default.
    ///   - services: Services to run with the server (stopped after it).
    public init(
        platformRouter router: Router<PlatformRequestContext>,
        http: HTTPServerConfiguration,
        logger: Logger,
        onServerRunning: @escaping ServerRunningHandler,
        server: HTTPServerBuilder = .http1(configuration: .platform),
        services: [any Service] = []
    ) {
        self.init(
            router: router,
            server: server,
            configuration: http.applicationConfiguration,
            services: services,
            onServerRunning: { channel in
                await onServerRunning(channel.localAddress?.port ?? http.port)
            },
            logger: logger
        )
    }
}
