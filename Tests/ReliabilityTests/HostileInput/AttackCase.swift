import Foundation
import NIOHTTP1
import TestSupport
import Testing

/// One hostile request through the gateway and the answer it must get: the exact status,
/// the DESIGN §4 envelope with the expected code (and `details.field` when the table names
/// one), the request id of the envelope equal to the `X-Request-Id` header, never a 5xx.
struct AttackCase: Sendable {
    /// Who sends it.
    enum Caller: Sendable {
        case anonymous, admin, operatorAccount, auditor, alice, bob, service
        /// This exact `Authorization` header value.
        case header(String)
    }

    /// What it carries.
    enum Body: Sendable {
        case none
        /// JSON text sent byte for byte (it may be deliberately malformed).
        case json(String)
        /// Bytes with a content type.
        case bytes([UInt8], contentType: String)
        /// A urlencoded form.
        case form(String)
    }

    var name: String
    var method: HTTPMethod
    var path: String
    var caller: Caller
    var body: Body = .none
    var headers: [[String]] = []
    var status: Int
    /// The envelope code; `nil` for a success (2xx/3xx) answer.
    var code: String?
    var field: String?
    /// An extra check of the answer: a description of what is wrong, `nil` when it is right.
    var check: (@Sendable (PlatformClient.Reply) -> String?)?

    init(
        _ name: String, _ method: HTTPMethod, _ path: String, as caller: Caller, body: Body = .none,
        headers: [[String]] = [], expect status: Int, _ code: String? = nil, field: String? = nil,
        check: (@Sendable (PlatformClient.Reply) -> String?)? = nil
    ) {
        self.name = name
        self.method = method
        self.path = path
        self.caller = caller
        self.body = body
        self.headers = headers
        self.status = status
        self.code = code
        self.field = field
        self.check = check
    }

    /// A JSON body from a value.
    static func json(_ value: Any) -> Body {
        .json(String(decoding: (try? JSONSerialization.data(withJSONObject: value)) ?? Data(), as: UTF8.self))
    }
}

/// What running a table found.
struct AttackOutcome: Sendable {
    var cases = 0
    var passed = 0
    var serverErrors = 0

    /// Counts one answer (its problems are reported by the caller's `#expect`).
    mutating func record(_ name: String, status: Int, problems: [String]) {
        cases += 1
        if status >= 500 { serverErrors += 1 }
        if problems.isEmpty { passed += 1 }
    }

    /// Adds what another run of the same table found.
    mutating func absorb(_ other: AttackOutcome) {
        cases += other.cases
        passed += other.passed
        serverErrors += other.serverErrors
    }

    /// `<table>: cases=N passed=N 5xx=N`.
    func summary(_ table: String) -> String {
        "\(table): cases=\(cases) passed=\(passed) 5xx=\(serverErrors)"
    }
}

extension HostileStage {
    /// The `Authorization` value of `caller`, if any.
    func authorization(_ caller: AttackCase.Caller) -> String? {
        switch caller {
        case .anonymous: nil
        case .admin: "Bearer \(admin.token)"
        case .operatorAccount: "Bearer \(operatorAccount.token)"
        case .auditor: "Bearer \(auditor.token)"
        case .alice: "Bearer \(alice.token)"
        case .bob: "Bearer \(bob.token)"
        case .service: "Bearer \(service)"
        case .header(let value): value
        }
    }

    /// Sends every case through the gateway, one at a time, and checks its answer.
    func run(_ cases: [AttackCase], client: PlatformClient? = nil) async throws -> AttackOutcome {
        var outcome = AttackOutcome()
        for attack in cases {
            let reply = try await send(attack, to: client ?? gateway)
            let problems = Self.problems(of: reply, against: attack)
            outcome.record(attack.name, status: reply.status, problems: problems)
            #expect(problems.isEmpty, "\(attack.name): \(problems.joined(separator: "; ")) — \(reply.text.prefix(300))")
        }
        return outcome
    }

    func send(_ attack: AttackCase, to client: PlatformClient) async throws -> PlatformClient.Reply {
        var headers = attack.headers.map { ($0[0], $0[1]) }
        if let authorization = authorization(attack.caller) { headers.append(("Authorization", authorization)) }
        switch attack.body {
        case .none:
            return try await client.call(attack.method, attack.path, headers: headers)
        case .json(let text):
            return try await client.call(attack.method, attack.path, raw: Data(text.utf8), headers: headers)
        case .bytes(let bytes, let contentType):
            return try await client.call(
                attack.method, attack.path, raw: Data(bytes), contentType: contentType, headers: headers)
        case .form(let form):
            return try await client.call(attack.method, attack.path, form: form, headers: headers)
        }
    }

    /// What is wrong with `reply` for `attack` (empty when nothing).
    static func problems(of reply: PlatformClient.Reply, against attack: AttackCase) -> [String] {
        var problems: [String] = []
        if reply.status != attack.status { problems.append("status \(reply.status), expected \(attack.status)") }
        if reply.status >= 500 { problems.append("server error") }
        let headerID = reply.headers.first(name: "X-Request-Id")
        if headerID == nil { problems.append("no X-Request-Id") }
        if let code = attack.code {
            problems += envelopeProblems(reply, code: code, field: attack.field, requestID: headerID)
        }
        if let check = attack.check, let problem = check(reply) { problems.append(problem) }
        return problems
    }

    private static func envelopeProblems(
        _ reply: PlatformClient.Reply, code: String, field: String?, requestID: String?
    ) -> [String] {
        guard let error = reply.object["error"] as? [String: Any], reply.object.count == 1 else {
            return ["not an error envelope"]
        }
        var problems: [String] = []
        if error["code"] as? String != code { problems.append("code \(error["code"] ?? "none"), expected \(code)") }
        if (error["message"] as? String)?.isEmpty ?? true { problems.append("no message") }
        if error["requestId"] as? String != requestID { problems.append("envelope requestId ≠ X-Request-Id") }
        if let field, (error["details"] as? [String: Any])?["field"] as? String != field {
            problems.append(
                "details.field \((error["details"] as? [String: Any])?["field"] ?? "none"), expected \(field)")
        }
        return problems
    }
}
