import Gateway
import HTTPTypes
import HummingbirdTesting
import NIOCore
import PlatformCore
import TestSupport
import Testing

/// Every routed operation of `openapi.yaml` × every caller: the request reaches its
/// upstream exactly when `x-roles` allows it, else 401 (no token) or 403 (wrong role).
@Suite struct RoleMatrixTests {
    @Test(arguments: Caller.allCases)
    func everyOperationAdmitsExactlyItsRoles(caller: Caller) async throws {
        let routes = try GatewayContract(documentBytes: try repositoryDocument()).gatewayRoutes
        var fields: HTTPFields = [.contentType: "application/json"]
        if let role = caller.role {
            fields[.authorization] = "Bearer " + (try await TestKeys.token(roles: [role]))
        }
        let headers = fields
        try await GatewayHarness.run { harness, gateway in
            for operation in routes.operations {
                let path = concretePath(operation.path)
                let body: ByteBuffer? = operation.requestBody == nil ? nil : ByteBuffer(string: "{}")
                let response = try await gateway.execute(
                    uri: path, method: operation.method, headers: headers, body: body)
                let label = "\(operation.operationID) as \(caller)"
                switch operation.access.decision(
                    for: caller.role.map { CallerIdentity(subject: "s", roles: [$0], tokenID: "t") })
                {
                case .allowed:
                    #expect(response.status == .ok, "\(label): \(response.status)")
                    guard let service = operation.service else { continue }
                    let stub = service == "auth" ? harness.auth : harness.event
                    let echoed = try response.echoed()
                    #expect(echoed.method == operation.method.rawValue, "\(label)")
                    #expect(echoed.target == path, "\(label)")
                    #expect(stub.requests.last == echoed, "\(label) did not reach the \(service) stub")
                case .unauthenticated:
                    #expect(response.status == .unauthorized, "\(label): \(response.status)")
                    #expect((try? response.envelope().code) == "UNAUTHORIZED", "\(label)")
                    #expect(response.headers[.wwwAuthenticate] == "Bearer", "\(label)")
                case .forbidden:
                    #expect(response.status == .forbidden, "\(label): \(response.status)")
                    #expect((try? response.envelope().code) == "FORBIDDEN", "\(label)")
                }
            }
            // Refused requests never reach an upstream: only the allowed ones are recorded.
            let allowed = routes.operations.filter {
                $0.service != nil
                    && $0.access.decision(
                        for: caller.role.map { CallerIdentity(subject: "s", roles: [$0], tokenID: "t") })
                        == .allowed
            }
            #expect(harness.auth.requests.count + harness.event.requests.count == allowed.count)
        }
    }

    @Test func matrixCoversEveryRoutedOperation() throws {
        let contract = try GatewayContract(documentBytes: try repositoryDocument())
        let routed = contract.gatewayRoutes.operations.map(\.operationID)
        let everyNonInternalOrPlatform = contract.contract.operations.filter { !$0.isInternal || $0.service == nil }
        #expect(Set(routed) == Set(everyNonInternalOrPlatform.map(\.operationID)))
    }
}
