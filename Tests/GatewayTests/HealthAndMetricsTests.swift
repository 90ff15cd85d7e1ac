import Foundation
import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PlatformCore
import TestSupport
import Testing

@Suite struct HealthAndMetricsTests {
    @Test func readyWhenBothUpstreamsAreHealthy() async throws {
        // A generous probe timeout: this is about the answer, not the timing (a 1 s probe
        // once timed out in CI while other suites loaded the machine).
        try await GatewayHarness.run(configure: { $0.readinessTimeout = .seconds(10) }) { _, gateway in
            let response = try await gateway.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .ok)
            let object = try JSONSerialization.jsonObject(with: Data(response.body.readableBytesView)) as? [String: Any]
            #expect(object?["status"] as? String == "ready")
            #expect(object?["checks"] as? [String: String] == ["auth": "up", "event": "up"])
            let live = try await gateway.execute(uri: "/health", method: .get)
            #expect(live.status == .ok)
        }
    }

    @Test func notReadyNamesTheUpstreamThatIsDown() async throws {
        let unused = try unusedLoopbackPort()
        try await GatewayHarness.run(authPort: unused) { _, gateway in
            let response = try await gateway.execute(uri: "/health/ready", method: .get)
            #expect(response.status == .serviceUnavailable)
            let error = try response.envelope()
            #expect(error.code == "SERVICE_UNAVAILABLE")
            #expect(error.details?["checks"] == ["auth": "down", "event": "up"])
        }
    }

    @Test func metricsCountRequestsByRouteTemplateNeverByRawPath() async throws {
        let token = try await TestKeys.token(roles: [.user])
        try await GatewayHarness.run { _, gateway in
            _ = try await gateway.execute(
                uri: "/claims/65a1f0c2e4b0a1b2c3d4e5f6", method: .get, headers: .bearer(token))
            _ = try await gateway.execute(uri: "/claims/65a1f0c2e4b0a1b2c3d4e5f7", method: .get)
            _ = try await gateway.execute(uri: "/no/such/thing", method: .get)
            let response = try await gateway.execute(uri: "/metrics", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("text/plain") == true)
            let text = response.text
            #expect(text.contains(#"gateway_http_requests_total{route="/claims/{id}",method="GET",status="200"} 1"#))
            #expect(text.contains(#"gateway_http_requests_total{route="/claims/{id}",method="GET",status="401"} 1"#))
            #expect(text.contains(#"gateway_http_requests_total{route="unmatched",method="GET",status="404"} 1"#))
            #expect(
                text.contains(
                    #"gateway_http_request_duration_seconds_bucket{route="/claims/{id}",method="GET",status="200",le="#)
            )
            #expect(!text.contains("65a1f0c2e4b0a1b2c3d4e5f6"))
            #expect(!text.contains("/no/such/thing"))
        }
    }
}
