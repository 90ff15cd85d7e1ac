import Foundation
import HTTPTypes
import NIOHTTP1
import PlatformCore
import TestSupport

/// A valid request body of one operation, which the injection cases corrupt one field at
/// a time. The valid body itself is never sent.
struct InjectableBody {
    var operationID: String
    var method: HTTPMethod
    var path: String
    var caller: AttackCase.Caller
    var body: [String: Any]
    /// Whether a decoding failure names the field (not for a `oneOf` without discriminator,
    /// whose decoder only reports that no variant fits).
    var namesField = true
}

/// MongoDB operator injection in every body field, query parameter and path id of the
/// routed operations: objects such as `{"$gt": ""}` where a value belongs, keys starting
/// with `$` or containing `.`. Each is a 400 (the contract's types, patterns and unknown
/// field rule), except free-text filters, which compare the text literally (200, empty).
enum InjectionCases {
    static var operatorValues: [(name: String, value: Any)] {
        [
            ("$gt", ["$gt": ""]), ("$where", ["$where": "1"]), ("$ne", ["$ne": NSNull()]),
        ]
    }
    static var hostileKeys: [(key: String, value: Any)] {
        [("$where", "1"), ("a.b", 1), ("$set", ["roles": ["ADMIN"]])]
    }
    /// Query parameters compared as literal text (anything else has a type, enum or pattern).
    static let literalQueryParameters: Set<String> = ["actorId", "targetId"]
    /// Every query parameter the tables know an answer for.
    static let knownQueryParameters: Set<String> = [
        "role", "email", "limit", "cursor", "status", "activeAt", "eventId", "userId", "from", "to", "actorId",
        "action", "targetType", "targetId",
    ]

    /// One valid body per routed JSON operation.
    static func bodies(_ stage: HostileStage) -> [InjectableBody] {
        let now = PlatformClient.iso(Date())
        let later = PlatformClient.iso(Date().addingTimeInterval(86_400))
        let event: [String: Any] = [
            "title": "t", "description": "d", "startAt": now, "endAt": later, "timezone": "UTC",
            "conditions": [["type": "CONTINUOUS_LOGIN", "days": 1]],
        ]
        return [
            .init(
                operationID: "register", method: .POST, path: "/auth/register", caller: .anonymous,
                body: ["email": "injected@example.com", "password": "password-123", "nickname": "n"]),
            .init(
                operationID: "login", method: .POST, path: "/auth/login", caller: .anonymous,
                body: ["email": stage.alice.email, "password": "password-\(stage.alice.email)"]),
            .init(
                operationID: "refresh", method: .POST, path: "/auth/refresh", caller: .anonymous,
                body: ["refreshToken": stage.alice.refreshToken]),
            .init(
                operationID: "logout", method: .POST, path: "/auth/logout", caller: .alice,
                body: ["refreshToken": stage.alice.refreshToken]),
            .init(
                operationID: "setUserRoles", method: .PUT, path: "/users/\(stage.alice.id)/roles", caller: .admin,
                body: ["roles": ["USER"]]),
            .init(
                operationID: "createServiceClient", method: .POST, path: "/service-clients", caller: .admin,
                body: ["name": "injected"]),
            .init(operationID: "createEvent", method: .POST, path: "/events", caller: .operatorAccount, body: event),
            .init(
                operationID: "updateEvent", method: .PATCH, path: "/events/\(stage.draftEvent)",
                caller: .operatorAccount, body: event),
            .init(
                operationID: "changeEventStatus", method: .POST, path: "/events/\(stage.draftEvent)/status",
                caller: .operatorAccount, body: ["status": "INACTIVE"]),
            .init(
                operationID: "addReward", method: .POST, path: "/events/\(stage.draftEvent)/rewards",
                caller: .operatorAccount, body: ["type": "POINT", "name": "p", "amount": 1, "stock": 5]),
            .init(
                operationID: "recordActivities", method: .POST, path: "/activities", caller: .service,
                body: [
                    "userId": stage.alice.id, "type": "LEVEL_UP", "occurredAt": now, "attributes": ["level": 3],
                    "sourceId": "injected",
                ],
                namesField: false),
        ]
    }

    /// Each field of each body replaced by each operator object, and each hostile key added.
    static func bodyCases(_ stage: HostileStage) -> [AttackCase] {
        var cases: [AttackCase] = []
        for template in bodies(stage) {
            for field in template.body.keys.sorted() {
                for (name, value) in operatorValues {
                    var body = template.body
                    body[field] = value
                    cases.append(
                        AttackCase(
                            "\(template.operationID) \(field)=\(name)", template.method, template.path,
                            as: template.caller, body: AttackCase.json(body), expect: 400, "VALIDATION_FAILED",
                            field: template.namesField ? field : nil))
                }
            }
            for (key, value) in hostileKeys {
                var body = template.body
                body[key] = value
                cases.append(
                    AttackCase(
                        "\(template.operationID) key \(key)", template.method, template.path, as: template.caller,
                        body: AttackCase.json(body), expect: 400, "VALIDATION_FAILED",
                        field: template.namesField ? key : nil))
            }
        }
        return cases + nestedCases(stage)
    }

    /// Operators and hostile keys one level down: conditions, attributes, role lists, batches.
    static func nestedCases(_ stage: HostileStage) -> [AttackCase] {
        let now = PlatformClient.iso(Date())
        func event(_ condition: [String: Any]) -> AttackCase.Body {
            AttackCase.json([
                "title": "t", "startAt": now, "endAt": PlatformClient.iso(Date().addingTimeInterval(60)),
                "conditions": [condition],
            ])
        }
        func activity(_ attributes: [String: Any]) -> AttackCase.Body {
            AttackCase.json(["userId": stage.alice.id, "type": "LEVEL_UP", "occurredAt": now, "attributes": attributes])
        }
        let custom: [String: Any] = ["type": "CUSTOM", "activityType": "LEVEL_UP", "aggregate": "sum", "gte": 1]
        return [
            AttackCase(
                "createEvent conditions[0].field=attributes.$where", .POST, "/events", as: .operatorAccount,
                body: event(custom.merging(["field": "attributes.$where"]) { $1 }), expect: 400, "VALIDATION_FAILED",
                field: "conditions[0].field"),
            AttackCase(
                "createEvent conditions[0].field=attributes.a.b", .POST, "/events", as: .operatorAccount,
                body: event(custom.merging(["field": "attributes.a.b"]) { $1 }), expect: 400, "VALIDATION_FAILED",
                field: "conditions[0].field"),
            AttackCase(
                "createEvent conditions[0].field=$gt", .POST, "/events", as: .operatorAccount,
                body: event(custom.merging(["field": ["$gt": ""]]) { $1 }), expect: 400, "VALIDATION_FAILED",
                field: "conditions[0].field"),
            AttackCase(
                "createEvent conditions[0].activityType=$where", .POST, "/events", as: .operatorAccount,
                body: event(custom.merging(["activityType": ["$where": "1"], "field": "attributes.x"]) { $1 }),
                expect: 400, "VALIDATION_FAILED", field: "conditions[0].activityType"),
            AttackCase(
                "createEvent conditions[0] key $where", .POST, "/events", as: .operatorAccount,
                body: event(["type": "CONTINUOUS_LOGIN", "days": 1, "$where": "1"]), expect: 400, "VALIDATION_FAILED",
                field: "conditions[0].$where"),
            AttackCase(
                "createEvent conditions[0].days=$gt", .POST, "/events", as: .operatorAccount,
                body: event(["type": "CONTINUOUS_LOGIN", "days": ["$gt": 0]]), expect: 400, "VALIDATION_FAILED",
                field: "conditions[0].days"),
            AttackCase(
                "recordActivities attributes key $where", .POST, "/activities", as: .service,
                body: activity(["$where": "1"]), expect: 400, "VALIDATION_FAILED", field: "attributes.$where"),
            AttackCase(
                "recordActivities attributes key a.b", .POST, "/activities", as: .service,
                body: activity(["a.b": 1]), expect: 400, "VALIDATION_FAILED", field: "attributes.a.b"),
            AttackCase(
                "recordActivities attributes value $gt", .POST, "/activities", as: .service,
                body: activity(["level": ["$gt": ""]]), expect: 400, "VALIDATION_FAILED", field: "attributes.level"),
            AttackCase(
                "recordActivities batch item type=$gt", .POST, "/activities", as: .service,
                body: AttackCase.json([
                    "activities": [["userId": stage.alice.id, "type": ["$gt": ""], "occurredAt": now]]
                ]), expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "setUserRoles roles[0]=$gt", .PUT, "/users/\(stage.alice.id)/roles", as: .admin,
                body: AttackCase.json(["roles": [["$gt": ""]]]), expect: 400, "VALIDATION_FAILED", field: "roles[0]"),
            AttackCase(
                "token client_id[$ne] (form)", .POST, "/auth/token", as: .anonymous,
                body: .form("grant_type=client_credentials&client_id[$ne]=x&client_secret[$ne]=y"), expect: 400,
                "VALIDATION_FAILED"),
            AttackCase(
                "token client_id={$gt} (form)", .POST, "/auth/token", as: .anonymous,
                body: .form("grant_type=client_credentials&client_id=%7B%22%24gt%22%3A%22%22%7D&client_secret=%7B%7D"),
                expect: 401, "UNAUTHORIZED"),
        ]
    }

    /// Each query parameter of each routed list given an operator object, an operator name,
    /// and PHP/Express-style bracket syntax (`name[$ne]=`), which is an unknown parameter.
    static func queryCases(_ stage: HostileStage, contract: APIContract) -> [AttackCase] {
        var cases: [AttackCase] = []
        for operation in routedOperations(contract) {
            let path = concretePath(operation.path, stage: stage)
            let caller = caller(for: operation)
            for parameter in operation.parameters where parameter.location == "query" {
                let literal = literalQueryParameters.contains(parameter.name)
                for (label, value) in [
                    ("{$gt}", #"{"$gt":""}"#), ("$where", "$where"), ("{$where}", #"{"$where":"1"}"#),
                ] {
                    let encoded = value.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? value
                    cases.append(
                        AttackCase(
                            "\(operation.operationID) ?\(parameter.name)=\(label)", operation.method.nio,
                            "\(path)?\(parameter.name)=\(encoded)", as: caller, expect: literal ? 200 : 400,
                            literal ? nil : "VALIDATION_FAILED", check: literal ? emptyPage : nil))
                }
                cases.append(
                    AttackCase(
                        "\(operation.operationID) ?\(parameter.name)[$ne]", operation.method.nio,
                        "\(path)?\(parameter.name)%5B%24ne%5D=DRAFT", as: caller, expect: 200,
                        check: operation.operationID == "listEvents" ? noDraftEvents : nil))
            }
        }
        return cases
    }

    /// Each path id of each routed operation given an operator object or SQL-like text.
    static func pathCases(_ stage: HostileStage, contract: APIContract) -> [AttackCase] {
        let validBodies = Dictionary(bodies(stage).map { ($0.operationID, $0.body) }) { first, _ in first }
        let hostileIDs = [
            ("{$gt}", #"{"$gt":""}"#), ("$where", "$where"), ("sql", "65a1f0c2e4b0a1b2c3d4e5f6' OR '1'='1"),
            ("regex", ".*"),
        ]
        var cases: [AttackCase] = []
        for operation in routedOperations(contract) where operation.path.template.contains("{id}") {
            for (label, id) in hostileIDs {
                let encoded = id.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? id
                let path = operation.path.template.replacingOccurrences(of: "{id}", with: encoded)
                var body = validBodies[operation.operationID].map { AttackCase.json($0) } ?? .none
                if operation.operationID == "updateEvent" { body = AttackCase.json(["title": "t"]) }
                if operation.operationID == "changeEventStatus" { body = AttackCase.json(["status": "INACTIVE"]) }
                cases.append(
                    AttackCase(
                        "\(operation.operationID) id=\(label)", operation.method.nio, path, as: caller(for: operation),
                        body: body, expect: 400, "VALIDATION_FAILED", field: "id"))
            }
        }
        return cases
    }

    /// Operator-looking strings are data: stored and returned as they were sent.
    static func literalCases(_ stage: HostileStage) -> [AttackCase] {
        let nickname = #"{"$gt": ""}"#
        return [
            AttackCase(
                "register nickname is literal operator text", .POST, "/auth/register", as: .anonymous,
                body: AttackCase.json([
                    "email": "literal@example.com", "password": "password-123", "nickname": nickname,
                ]),
                expect: 201, check: { $0.object["nickname"] as? String == nickname ? nil : "nickname changed" }),
            AttackCase(
                "updateEvent title is literal $set text", .PATCH, "/events/\(stage.draftEvent)", as: .operatorAccount,
                body: AttackCase.json(["title": #"{"$set": {"status": "ACTIVE"}}"#]), expect: 200,
                check: { $0.object["status"] as? String == "DRAFT" ? nil : "status changed" }),
        ]
    }

    // MARK: - Contract helpers

    /// The operations the gateway routes to a service.
    static func routedOperations(_ contract: APIContract) -> [ContractOperation] {
        contract.operations.filter { !$0.isInternal && $0.service != nil }
    }

    static func caller(for operation: ContractOperation) -> AttackCase.Caller {
        guard case .anyOf(let roles) = operation.access else { return .anonymous }
        if roles.contains(.user) { return .alice }
        if roles.contains(.auditor) { return .auditor }
        if roles.contains(.admin) { return .admin }
        if roles.contains(.operator) { return .operatorAccount }
        return .service
    }

    static func concretePath(_ template: PathTemplate, stage: HostileStage) -> String {
        template.template.replacingOccurrences(of: "{id}", with: stage.activeEvent)
    }

    static let emptyPage: @Sendable (PlatformClient.Reply) -> String? = { reply in
        reply.items.isEmpty ? nil : "a literal filter matched \(reply.items.count) items"
    }

    static let noDraftEvents: @Sendable (PlatformClient.Reply) -> String? = { reply in
        reply.items.contains { $0["status"] as? String == "DRAFT" } ? "a USER saw a DRAFT event" : nil
    }

    /// The contract, read from the repository's `openapi.yaml`.
    static func contract() throws -> APIContract {
        let url = MongoTestEndpoint.repositoryRoot.appendingPathComponent("openapi.yaml")
        return try APIContract(yaml: String(decoding: try Data(contentsOf: url), as: UTF8.self))
    }
}

extension HTTPRequest.Method {
    /// The same method as NIO spells it.
    var nio: HTTPMethod { HTTPMethod(rawValue: rawValue) }
}
