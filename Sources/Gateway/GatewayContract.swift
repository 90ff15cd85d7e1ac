public import PlatformCore

/// The OpenAPI document the gateway routes by and serves: the repository's `openapi.yaml`,
/// embedded in the binary at build time (`.embedInCode`), parsed once when the gateway is built.
public struct GatewayContract: Sendable {
    /// The file's bytes, served unchanged at `GET /openapi.yaml`.
    public let documentBytes: [UInt8]
    /// The parsed document.
    public let contract: APIContract

    /// Parses the bundled document (embedded in the binary at build time).
    /// - Throws: `ContractError` when it is not a usable contract.
    public static func bundled() throws -> GatewayContract {
        try GatewayContract(documentBytes: PackageResources.openapi_yaml)
    }

    /// Parses a document given as bytes.
    /// - Parameter documentBytes: The YAML file's bytes.
    /// - Throws: `ContractError` when it is not UTF-8 or not a usable contract.
    public init(documentBytes: [UInt8]) throws {
        guard let text = String(validating: documentBytes, as: UTF8.self) else {
            throw ContractError(location: "openapi.yaml", reason: "the document is not UTF-8")
        }
        self.documentBytes = documentBytes
        self.contract = try APIContract(yaml: text)
    }

    /// The operations the gateway answers: everything but `x-internal` operations of the
    /// services (service-to-service calls never pass the gateway); the gateway's own
    /// `platform` operations, internal `/metrics` included, stay.
    public var gatewayRoutes: RouteTable {
        RouteTable(operations: contract.operations.filter { $0.service == nil || !$0.isInternal })
    }
}
