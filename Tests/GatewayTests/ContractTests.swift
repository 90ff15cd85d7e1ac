import AsyncHTTPClient
import Foundation
import Gateway
import HTTPTypes
import Hummingbird
import HummingbirdTesting
import PlatformCore
import TestSupport
import Testing

/// Code and `openapi.yaml` cannot drift apart: a route in code that the document lacks, or
/// an operation of the document that no code serves, fails here.
@Suite struct ContractTests {
    /// `METHOD /path` for each operation.
    static func routes(_ operations: [ContractOperation]) -> Set<String> {
        Set(operations.map { "\($0.method.rawValue) \($0.path.template)" })
    }

    @Test func gatewayServesExactlyThePlatformOperations() async throws {
        let contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        let verifier = try await TestKeys.verifier()
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let built = Result {
            try buildGatewayRouter(
                configuration: GatewayConfiguration(http: HTTPServerConfiguration(port: 0)), verifier: verifier,
                httpClient: client)
        }
        try await client.shutdown()
        let router = try built.get()
        let served = Set(router.routes.map { "\($0.method.rawValue) \($0.path.description)" })
        let documented = Self.routes(contract.operations.filter { $0.tag == APIContract.platformTag })
        #expect(
            served == documented,
            "in code only: \(served.subtracting(documented)); in the document only: \(documented.subtracting(served))")
    }

    /// The generated servers (swift-openapi-generator's build plugin over each service's
    /// tag filter) register exactly the document's operations of that service; the
    /// generated `APIProtocol` then forces the service to implement each of them.
    @Test(arguments: ["auth": "AuthService", "event": "EventService"].sorted(by: <))
    func generatedServerRegistersExactlyTheServiceOperations(service: String, target: String) throws {
        let contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        let documented = Self.routes(contract.operations.filter { $0.service == service })
        #expect(!documented.isEmpty)

        let source = try Self.generatedServer(target: target)
        let pattern = try NSRegularExpression(
            pattern: #"method: \.(\w+),\s*path: server\.apiPathComponentsWithServerPrefix\("([^"]+)"\)"#)
        let range = NSRange(source.startIndex..., in: source)
        let generated = Set(
            pattern.matches(in: source, range: range).map { match in
                let method = String(source[Range(match.range(at: 1), in: source)!]).uppercased()
                return "\(method) \(String(source[Range(match.range(at: 2), in: source)!]))"
            })
        #expect(
            generated == documented,
            "generated only: \(generated.subtracting(documented)); documented only: \(documented.subtracting(generated))"
        )

        // And the generator's tag filter is the document's x-service-tags entry.
        let config = try String(
            contentsOf: MongoTestEndpoint.repositoryRoot.appendingPathComponent(
                "Sources/\(target)/openapi-generator-config.yaml"),
            encoding: .utf8)
        let filtered = config.split(separator: "\n").compactMap { line -> String? in
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            return trimmed.hasPrefix("- ") && !["- types", "- server", "- client"].contains(trimmed)
                ? String(trimmed.dropFirst(2)) : nil
        }
        #expect(Set(filtered) == Set(contract.serviceTags[service] ?? []))
    }

    @Test func openAPIDocumentIsServedByteForByte() async throws {
        let file = try repositoryDocument()
        try await GatewayHarness.run { _, gateway in
            let response = try await gateway.execute(uri: "/openapi.yaml", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType]?.hasPrefix("application/yaml") == true)
            #expect(Array(response.body.readableBytesView) == file)
        }
    }

    @Test func docsPageListsEveryOperation() async throws {
        let contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        try await GatewayHarness.run { _, gateway in
            let response = try await gateway.execute(uri: "/docs", method: .get)
            #expect(response.status == .ok)
            #expect(response.headers[.contentType] == "text/html; charset=utf-8")
            let html = response.text
            #expect(!html.contains("<script"))
            #expect(!html.contains("http://") && !html.contains("https://"))  // nothing fetched from elsewhere
            for operation in contract.operations {
                #expect(html.contains(#"id="\#(operation.operationID)""#), "\(operation.operationID)")
            }
        }
    }

    /// The generated `Server.swift` of `target`, from the build plugin's output.
    static func generatedServer(target: String) throws -> String {
        let root = MongoTestEndpoint.repositoryRoot
        let fileManager = FileManager.default
        let scratchDirectories =
            (try? fileManager.contentsOfDirectory(atPath: root.path))?.filter { $0.hasPrefix(".build") } ?? []
        for scratch in scratchDirectories.sorted() {
            let outputs = root.appendingPathComponent(scratch).appendingPathComponent("plugins/outputs")
            for package in (try? fileManager.contentsOfDirectory(atPath: outputs.path)) ?? [] {
                let file = outputs.appendingPathComponent(
                    "\(package)/\(target)/destination/OpenAPIGenerator/GeneratedSources/Server.swift")
                if let text = try? String(contentsOf: file, encoding: .utf8) { return text }
            }
        }
        throw TestSupportError("no generated Server.swift for \(target) under \(root.path)/.build*/plugins/outputs")
    }
}
