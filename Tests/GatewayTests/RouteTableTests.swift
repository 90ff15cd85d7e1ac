import Foundation
import Gateway
import HTTPTypes
import PlatformCore
import Testing

/// The route table built from the real `openapi.yaml`.
@Suite struct RouteTableTests {
    let contract: APIContract
    let table: RouteTable

    init() throws {
        contract = try GatewayContract(documentBytes: try repositoryDocument()).contract
        table = contract.routeTable
    }

    @Test func everyOperationOfTheDocumentIsParsed() {
        let text = String(decoding: try! repositoryDocument(), as: UTF8.self)
        let declared = text.components(separatedBy: "operationId:").count - 1
        #expect(declared >= 31)
        #expect(contract.operations.count == declared)
        let ids = Set(contract.operations.map(\.operationID))
        #expect(ids.count == contract.operations.count)
        #expect(ids.isSuperset(of: ["register", "login", "claimReward", "listMyClaims", "getClaim", "getDocs"]))
    }

    @Test func literalSegmentWinsOverParameter() throws {
        guard case .matched(let mine, let parameters) = table.match(method: .get, path: "/claims/me") else {
            Issue.record("GET /claims/me did not match")
            return
        }
        #expect(mine.operationID == "listMyClaims")
        #expect(parameters.isEmpty)
        guard
            case .matched(let one, let oneParameters) = table.match(
                method: .get, path: "/claims/65a1f0c2e4b0a1b2c3d4e5f6")
        else {
            Issue.record("GET /claims/{id} did not match")
            return
        }
        #expect(one.operationID == "getClaim")
        #expect(oneParameters == ["id": "65a1f0c2e4b0a1b2c3d4e5f6"])
    }

    @Test func operationCarriesRolesTagServiceAndInternalFlag() throws {
        let claim = try #require(contract.operation("claimReward"))
        #expect(claim.method == .post)
        #expect(claim.path.template == "/events/{id}/claims")
        #expect(claim.tag == "claims")
        #expect(claim.service == "event")
        #expect(claim.access == .anyOf([.user]))
        #expect(!claim.isInternal)
        let register = try #require(contract.operation("register"))
        #expect(register.access == .public)
        #expect(register.service == "auth")
        let ingest = try #require(contract.operation("recordAuditLogs"))
        #expect(ingest.isInternal)
        #expect(ingest.access == .anyOf([.service]))
        let health = try #require(contract.operation("getHealth"))
        #expect(health.service == nil)
        #expect(health.tag == APIContract.platformTag)
    }

    @Test func wrongMethodOnKnownPathListsTheAllowedMethods() {
        #expect(
            table.match(method: .delete, path: "/events/65a1f0c2e4b0a1b2c3d4e5f6")
                == .methodNotAllowed(path: try! PathTemplate("/events/{id}"), allowed: [.get, .patch]))
        guard case .methodNotAllowed(_, let allowed) = table.match(method: .put, path: "/events") else {
            Issue.record("PUT /events was not 405")
            return
        }
        #expect(allowed == [.get, .post])
    }

    @Test(arguments: ["/nothing", "/events/a/b/c/d", "/", "/claims/me/extra", "/events/../users", "/events/./x"])
    func unknownPathIsNotFound(path: String) {
        #expect(table.match(method: .get, path: path) == .notFound)
    }

    /// The proxies' byte-level match names the operation `match` names, and nothing where
    /// `match` finds none or another method: every route of the document, concrete and
    /// altered (extra, doubled and trailing slashes, a query, dot segments, a segment more
    /// or less, a literal changed), with every method.
    @Test func theByteLevelMatchAgreesWithTheFullMatch() {
        var paths = ["/", "", "?x", "//", "/health?", "/.", "/..", "/a/./b", "/%2e%2e/users"]
        for operation in contract.operations {
            let path = concretePath(operation.path)
            paths += [
                path, path + "/", "/" + path, path + "?a=b/c", path + "/x",
                path.replacingOccurrences(of: "/", with: "//"),
                path + "/..", path + "/.", String(path.dropLast()), path.uppercased(), path + "?", path + "#f",
                path.replacingOccurrences(of: "65a1f0c2e4b0a1b2c3d4e5f6", with: "%41b"),
            ]
        }
        let methods: [HTTPRequest.Method] = [.get, .post, .put, .patch, .delete, .head, .options]
        var matched = 0
        for path in paths {
            for method in methods {
                let expected: String? =
                    if case .matched(let operation, _) = table.match(method: method, path: path) {
                        operation.operationID
                    } else {
                        nil
                    }
                #expect(
                    table.matchedOperation(method: method, target: path)?.operationID == expected, "\(method) \(path)")
                if expected != nil { matched += 1 }
            }
        }
        #expect(matched >= contract.operations.count * 2)
    }

    /// A table of `GET` operations `op0`, `op1`, … on `templates`.
    static func getTable(_ templates: [String]) throws -> RouteTable {
        RouteTable(
            operations: try templates.enumerated().map { position, template in
                ContractOperation(
                    operationID: "op\(position)", method: .get, path: try PathTemplate(template), tag: "t",
                    service: "s", access: .public)
            })
    }

    /// Expects the byte-level match of `GET path` to find what the full match finds, for each
    /// path; returns how many of them matched.
    @discardableResult
    static func expectBothMatchesAgree(_ table: RouteTable, on paths: [String]) -> Int {
        var matched = 0
        for path in paths {
            let expected: String? =
                if case .matched(let operation, _) = table.match(method: .get, path: path) {
                    operation.operationID
                } else {
                    nil
                }
            #expect(table.matchedOperation(method: .get, target: path)?.operationID == expected, "\(path)")
            if expected != nil { matched += 1 }
        }
        return matched
    }

    /// Templates that start with a parameter or share a first letter: the byte-level match,
    /// which sorts templates by the first byte of the path, must find the same operation.
    @Test func theByteLevelMatchAgreesOnTemplatesThatStartWithAParameter() throws {
        let table = try Self.getTable(["/{tenant}/x", "/a/x", "/ab/x", "/a/{id}", "/{tenant}/{id}", "/", "/é/x"])
        Self.expectBothMatchesAgree(
            table,
            on: ["/a/x", "/ab/x", "/b/x", "/a/y", "/abc/x", "/A/x", "/", "/a", "/%C3%A9/x", "/~/x", "/a/x/", "//a//x"])
        #expect(table.matchedOperation(method: .get, target: "/b/x")?.operationID == "op0")
        #expect(table.matchedOperation(method: .get, target: "/a/x")?.operationID == "op1")
        #expect(table.matchedOperation(method: .get, target: "/a/y")?.operationID == "op3")
    }

    /// The byte-level match rejects most templates on the lengths of their first eight
    /// literal segments (255 and more compare alike): past eight segments, and between
    /// segments too long to tell apart that way, the bytes still decide.
    @Test func theByteLevelMatchAgreesPastEightSegmentsAndOnLongSegments() throws {
        let long = String(repeating: "l", count: 300)
        let table = try Self.getTable([
            "/a/b/c/d/e/f/g/h/i/j", "/a/b/c/d/e/f/g/h/{x}/k", "/a/\(long)", "/a/\(long)x", "/{p}/bb", "/a/b",
        ])
        let matched = Self.expectBothMatchesAgree(
            table,
            on: [
                "/a/b/c/d/e/f/g/h/i/j", "/a/b/c/d/e/f/g/h/i/k", "/a/b/c/d/e/f/g/h/zz/k", "/a/b/c/d/e/f/g/h/i/jj",
                "/a/\(long)", "/a/\(long)x", "/a/\(long)y", "/a/\(long.dropLast())", "/a/bb", "/z/bb", "/a/b", "/a/c",
            ])
        #expect(matched == 8)
    }

    @Test func queryStringAndTrailingSlashDoNotChangeTheRoute() {
        guard case .matched(let operation, _) = table.match(method: .get, path: "/events/?status=ACTIVE&limit=5")
        else {
            Issue.record("GET /events/?… did not match")
            return
        }
        #expect(operation.operationID == "listEvents")
    }

    @Test func pathParametersArePercentDecoded() {
        guard case .matched(_, let parameters) = table.match(method: .get, path: "/events/ab%20cd") else {
            Issue.record("no match")
            return
        }
        #expect(parameters["id"] == "ab cd")
    }

    @Test func servicesImplementTheirTagsOnly() {
        let byService = table.operationIDsByService
        #expect(Set(byService.keys) == ["auth", "event"])
        for operation in contract.operations {
            if operation.tag == APIContract.platformTag {
                #expect(operation.service == nil)
            } else {
                let service = operation.service ?? "none"
                #expect(contract.serviceTags[service]?.contains(operation.tag) == true)
                #expect(byService[service]?.contains(operation.operationID) == true)
            }
        }
        #expect(byService["auth"]?.contains("getJwks") == true)
        #expect(byService["event"]?.contains("recordActivities") == true)
    }

    @Test func gatewayRoutesLeaveOutInternalServiceOperationsOnly() throws {
        let gateway = try GatewayContract(documentBytes: try repositoryDocument()).gatewayRoutes
        let ids = Set(gateway.operations.map(\.operationID))
        #expect(!ids.contains("recordAuditLogs"))
        #expect(ids.contains("getMetrics"))  // internal, but the gateway serves its own
        #expect(ids.count == contract.operations.count - 1)
        #expect(
            gateway.match(method: .post, path: "/audit-logs")
                == .methodNotAllowed(path: try PathTemplate("/audit-logs"), allowed: [.get]))
    }

    @Test func documentWithoutRolesIsRefused() {
        let yaml = """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            x-service-tags: {event: [events]}
            paths:
              /events:
                get: {operationId: listEvents, tags: [events], responses: {'200': {description: ok}}}
            """
        #expect(throws: ContractError.self) { try APIContract(yaml: yaml) }
    }

    @Test func unknownRoleOrUnmappedTagIsRefused() {
        let unknownRole = """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            x-service-tags: {event: [events]}
            paths:
              /events:
                get: {operationId: a, tags: [events], x-roles: [ROOT], responses: {}}
            """
        #expect(throws: ContractError.self) { try APIContract(yaml: unknownRole) }
        let unmapped = """
            openapi: 3.1.0
            info: {title: t, version: '1'}
            x-service-tags: {event: [events]}
            paths:
              /things:
                get: {operationId: a, tags: [things], x-roles: [PUBLIC], responses: {}}
            """
        #expect(throws: ContractError.self) { try APIContract(yaml: unmapped) }
    }

    @Test func accessDecisions() {
        let staff = AccessRequirement.anyOf([.operator, .admin])
        let op = CallerIdentity(subject: "s", roles: [.operator], tokenID: "j")
        let user = CallerIdentity(subject: "s", roles: [.user], tokenID: "j")
        #expect(staff.decision(for: nil) == .unauthenticated)
        #expect(staff.decision(for: user) == .forbidden)
        #expect(staff.decision(for: op) == .allowed)
        #expect(AccessRequirement.public.decision(for: nil) == .allowed)
    }
}
