public import PlatformCore

/// The base URLs of the services the gateway forwards to, by the names `x-service-tags`
/// uses (`auth`, `event`).
public struct Upstreams: Sendable, Equatable {
    /// Service name → base URL without a trailing slash.
    public var baseURLs: [String: String]

    /// Creates the map.
    /// - Parameter baseURLs: Service name → base URL.
    public init(baseURLs: [String: String]) {
        self.baseURLs = baseURLs
    }

    /// `auth` and `event` from the configuration.
    public init(configuration: GatewayConfiguration) {
        self.init(baseURLs: ["auth": configuration.authURL, "event": configuration.eventURL])
    }

    /// Checks that every service the routes name has a URL.
    /// - Throws: `ContractError` naming the first service without one.
    func validate(covering routes: RouteTable) throws {
        for service in routes.operationIDsByService.keys.sorted() where baseURLs[service] == nil {
            throw ContractError(
                location: "x-service-tags.\(service)", reason: "the gateway has no URL for this service")
        }
    }
}
