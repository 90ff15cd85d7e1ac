import AsyncHTTPClient
import NIOHTTP1
import PlatformCore

/// The readiness checks of the gateway: one per upstream, named after it, each a
/// `GET <base>/health` that must answer 200 within `timeout`.
enum UpstreamReadiness {
    struct NotHealthy: Error, CustomStringConvertible {
        let status: UInt
        var description: String { "health answered \(status)" }
    }

    struct NoKeys: Error, CustomStringConvertible {
        var description: String { "no verifying keys loaded yet" }
    }

    /// `keys`: up once the verifying keys are loaded. Until then every guarded route answers
    /// 503, so the gateway is not ready for traffic.
    static func keys(available: @escaping @Sendable () -> Bool) -> ReadinessCheck {
        ReadinessCheck(name: "keys") {
            guard available() else { throw NoKeys() }
        }
    }

    static func checks(upstreams: Upstreams, client: HTTPClient, timeout: Duration) -> [ReadinessCheck] {
        upstreams.baseURLs.sorted { $0.key < $1.key }.map { name, baseURL in
            ReadinessCheck(name: name, timeout: timeout) {
                let response = try await client.execute(
                    HTTPClientRequest(url: baseURL + "/health"), timeout: GatewayHTTPClient.timeAmount(timeout))
                _ = try await response.body.collect(upTo: 64 * 1024)
                guard response.status == .ok else { throw NotHealthy(status: response.status.code) }
            }
        }
    }
}
