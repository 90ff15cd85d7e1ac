import Foundation
import TestSupport
import Testing

/// A request sent as raw bytes (no HTTP client would send it) and what must come back.
struct RawAttack: Sendable {
    var name: String
    var request: [UInt8]
    var status: Int
    /// The envelope code the answer must carry (with the same request id in the body and
    /// `X-Request-Id`).
    var code: String
    /// Whether the connection must close after the answer: a request that is not valid
    /// HTTP/1.1 at all is refused by the HTTP parser, and the connection cannot go on.
    var closes = false
    var check: (@Sendable (RawReply) -> String?)?
}

extension RawAttack {
    /// A message the HTTP parser refuses: 400 `VALIDATION_FAILED`, connection closed.
    static func malformed(
        _ name: String, _ request: [UInt8], check: (@Sendable (RawReply) -> String?)? = nil
    )
        -> RawAttack
    {
        RawAttack(name: name, request: request, status: 400, code: "VALIDATION_FAILED", closes: true, check: check)
    }
}

/// `X-Request-Id` with CR, LF, folded lines, NUL, non-ASCII or 10 KiB, on a route that
/// answers 401 (so an envelope with the request id comes back). Nothing sent in the id is
/// ever reflected as a header of its own.
enum HeaderCases {
    static func requestID() -> [RawAttack] {
        func request(_ requestID: [UInt8]) -> [UInt8] {
            Array("GET /auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: ".utf8) + requestID
                + Array("\r\nConnection: close\r\n\r\n".utf8)
        }
        let noCookie: @Sendable (RawReply) -> String? = { reply in
            reply.values("Set-Cookie").isEmpty && reply.values("X-Injected").isEmpty ? nil : "a header was injected"
        }
        let generated: @Sendable (RawReply) -> String? = { reply in
            guard let id = reply.values("X-Request-Id").first, id.count == 32, id.allSatisfy(\.isHexDigit) else {
                return "no generated request id: \(reply.values("X-Request-Id"))"
            }
            return noCookie(reply)
        }
        let kept: @Sendable (RawReply) -> String? = { reply in
            reply.values("X-Request-Id") == ["hostile-1"] ? noCookie(reply) : "the sane id was not kept"
        }
        return [
            RawAttack(
                name: "id split by CRLF into a second header",
                request: request(Array("hostile-1\r\nX-Injected: yes".utf8)),
                status: 401, code: "UNAUTHORIZED", check: kept),
            RawAttack(
                name: "id with percent-encoded CRLF", request: request(Array("a%0D%0ASet-Cookie:%20x=1".utf8)),
                status: 401,
                code: "UNAUTHORIZED", check: generated),
            .malformed("id with a bare CR", request(Array("a\rSet-Cookie: x=1".utf8)), check: noCookie),
            .malformed("id with a bare LF", request(Array("a\nSet-Cookie: x=1".utf8)), check: noCookie),
            .malformed("id folded onto a second line", request(Array("a\r\n Set-Cookie: x=1".utf8)), check: noCookie),
            .malformed("id with NUL", request(Array("a".utf8) + [0] + Array("b".utf8))),
            RawAttack(
                name: "id of non-ASCII UTF-8", request: request(Array("idé✓".utf8)), status: 401, code: "UNAUTHORIZED",
                check: generated),
            RawAttack(
                name: "id of 10 KiB", request: request([UInt8](repeating: UInt8(ascii: "a"), count: 10 << 10)),
                status: 401, code: "UNAUTHORIZED", check: generated),
            RawAttack(
                name: "two ids",
                request: Array(
                    "GET /auth/me HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Request-Id: a\r\nX-Request-Id: b\r\nConnection: close\r\n\r\n"
                        .utf8),
                status: 401, code: "UNAUTHORIZED",
                check: { reply in
                    let ids = reply.values("X-Request-Id")
                    return ids.count == 1 && !ids[0].contains(",") ? nil : "request ids \(ids)"
                }),
        ]
    }

    /// Sends every raw case to `port` and checks the answers.
    static func run(_ attacks: [RawAttack], port: Int, into outcome: inout AttackOutcome) async throws {
        for attack in attacks {
            let reply = try await RawHTTP.exchange(port: port, attack.request)
            var problems: [String] = []
            if reply.status != attack.status { problems.append("status \(reply.status), expected \(attack.status)") }
            let envelope = reply.envelope
            if envelope?["code"] as? String != attack.code {
                problems.append("envelope code \(envelope?["code"] ?? "none")")
            }
            if envelope?["requestId"] as? String != reply.values("X-Request-Id").first {
                problems.append("envelope requestId ≠ X-Request-Id")
            }
            if attack.closes, reply.values("Connection").first?.lowercased() != "close" {
                problems.append("a refused message must close the connection")
            }
            if let check = attack.check, let problem = check(reply) { problems.append(problem) }
            outcome.record(attack.name, status: reply.status, problems: problems)
            #expect(problems.isEmpty, "\(attack.name): \(problems.joined(separator: "; "))")
        }
    }
}
