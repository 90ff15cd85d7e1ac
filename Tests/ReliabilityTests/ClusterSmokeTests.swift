import NIOHTTP1
import TestSupport
import Testing

/// The cluster launcher itself: three processes, ready through the gateway, stopped cleanly.
@Suite(.serialized) struct ClusterSmokeTests {
    @Test func aClusterStartsAnswersAndStops() async throws {
        let cluster = try await PlatformCluster()
        let admin = try await cluster.adminToken()
        let users = try await cluster.gateway.call(.GET, "/users", token: admin)
        #expect(users.status == 200)
        let statuses = try await cluster.stop()
        #expect(statuses == [.auth: 0, .event: 0, .gateway: 0])
    }
}
