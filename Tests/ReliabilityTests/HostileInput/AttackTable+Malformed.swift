import Foundation
import NIOHTTP1
import TestSupport

/// Bodies and parameters no honest client sends: nesting 10,000 deep, 2 MiB, invalid
/// UTF-8, NUL bytes, numbers past every range, and forged or replayed page cursors.
enum MalformedCases {
    static func bodies(_ stage: HostileStage) -> [AttackCase] {
        let deepArray = String(repeating: "[", count: 10_000) + String(repeating: "]", count: 10_000)
        let deepObject = String(repeating: #"{"a":"#, count: 10_000) + "1" + String(repeating: "}", count: 10_000)
        let twoMiB = [UInt8](repeating: UInt8(ascii: "a"), count: 2 << 20)
        let bigJSON = Array(#"{"title":""#.utf8) + twoMiB + Array(#"","startAt":"x"}"#.utf8)
        let now = PlatformClient.iso(Date())
        let later = PlatformClient.iso(Date().addingTimeInterval(86_400))
        func event(title: String) -> String {
            #"{"title":\#(title),"startAt":"\#(now)","endAt":"\#(later)","conditions":[{"type":"CONTINUOUS_LOGIN","days":1}]}"#
        }
        func bytes(_ parts: [[UInt8]]) -> AttackCase.Body {
            .bytes(parts.flatMap { $0 }, contentType: "application/json")
        }
        return [
            AttackCase(
                "register email nested 10,000 deep", .POST, "/auth/register", as: .anonymous,
                body: .json(#"{"email":\#(deepArray),"password":"password-123","nickname":"n"}"#), expect: 400,
                "VALIDATION_FAILED"),
            AttackCase(
                "event title nested 10,000 deep", .POST, "/events", as: .operatorAccount,
                body: .json(event(title: deepObject)), expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "activity attributes nested 10,000 deep", .POST, "/activities", as: .service,
                body: .json(
                    #"{"userId":"\#(stage.alice.id)","type":"LEVEL_UP","occurredAt":"\#(now)","attributes":\#(deepObject)}"#
                ),
                expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "roles nested 10,000 deep", .PUT, "/users/\(stage.alice.id)/roles", as: .admin,
                body: .json(#"{"roles":\#(deepArray)}"#), expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "2 MiB activity body", .POST, "/activities", as: .service,
                body: .bytes(twoMiB, contentType: "application/json"),
                expect: 413, "PAYLOAD_TOO_LARGE"),
            AttackCase(
                "2 MiB register body", .POST, "/auth/register", as: .anonymous,
                body: .bytes(twoMiB, contentType: "application/json"), expect: 413, "PAYLOAD_TOO_LARGE"),
            AttackCase(
                "2 MiB event title", .POST, "/events", as: .operatorAccount,
                body: .bytes(bigJSON, contentType: "application/json"), expect: 413, "PAYLOAD_TOO_LARGE"),
            AttackCase(
                "register email invalid UTF-8", .POST, "/auth/register", as: .anonymous,
                body: bytes([
                    Array(#"{"email":"a"#.utf8), [0xFF, 0xFE],
                    Array(#"@example.com","password":"password-123","nickname":"n"}"#.utf8),
                ]),
                expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "event title overlong UTF-8", .POST, "/events", as: .operatorAccount,
                body: bytes([
                    Array(#"{"title":""#.utf8), [0xC0, 0xAF],
                    Array(#"","startAt":"\#(now)","endAt":"\#(later)","conditions":[]}"#.utf8),
                ]),
                expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "event title lone surrogate", .POST, "/events", as: .operatorAccount,
                body: .json(event(title: #""\ud800""#)), expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "users email query invalid UTF-8", .GET, "/users?email=%FF%FE%40example.com", as: .admin, expect: 400,
                "VALIDATION_FAILED", field: "email"),
            AttackCase(
                "audit actorId query invalid UTF-8", .GET, "/audit-logs?actorId=%FF%FE", as: .auditor, expect: 400,
                "VALIDATION_FAILED", field: "actorId"),
            AttackCase("event id invalid UTF-8", .GET, "/events/%FF%FE", as: .alice, expect: 404, "NOT_FOUND"),
            AttackCase(
                "event title with NUL is kept whole", .POST, "/events", as: .operatorAccount,
                body: .json(event(title: #""nul\u0000title""#)), expect: 201,
                check: { $0.object["title"] as? String == "nul\u{0}title" ? nil : "title changed" }),
            AttackCase(
                "register email with NUL", .POST, "/auth/register", as: .anonymous,
                body: .json(#"{"email":"nul\u0000@example.com","password":"password-123","nickname":"n"}"#),
                expect: 400,
                "VALIDATION_FAILED", field: "email"),
            AttackCase(
                "register nickname with NUL", .POST, "/auth/register", as: .anonymous,
                body: .json(#"{"email":"nul@example.com","password":"password-123","nickname":"a\u0000b"}"#),
                expect: 400,
                "VALIDATION_FAILED", field: "nickname"),
            AttackCase(
                "register password with NUL", .POST, "/auth/register", as: .anonymous,
                body: .json(#"{"email":"nul@example.com","password":"password\u0000123","nickname":"n"}"#), expect: 400,
                "VALIDATION_FAILED", field: "password"),
            AttackCase(
                "activity attribute name with NUL", .POST, "/activities", as: .service,
                body: .json(
                    #"{"userId":"\#(stage.alice.id)","type":"LEVEL_UP","occurredAt":"\#(now)","attributes":{"k\u0000":1}}"#
                ),
                expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "audit actorId with NUL", .GET, "/audit-logs?actorId=a%00b", as: .auditor, expect: 200,
                check: InjectionCases.emptyPage),
        ]
    }

    static func numbers(_ stage: HostileStage) -> [AttackCase] {
        let draft = "/events/\(stage.draftEvent)"
        let now = PlatformClient.iso(Date())
        let later = PlatformClient.iso(Date().addingTimeInterval(86_400))
        var cases: [AttackCase] = []
        for limit in ["-1", "0", "101", "99999999999999999999", "1e2", "1.5", "0x10", ""] {
            cases.append(
                AttackCase(
                    "limit=\(limit)", .GET, "/claims/me?limit=\(limit)", as: .alice, expect: 400, "VALIDATION_FAILED",
                    field: ["-1", "0", "101"].contains(limit) ? "limit" : nil))
        }
        let rewards: [(fields: String, field: String?)] = [
            (#""amount":2147483648"#, "amount"), (#""amount":-1"#, "amount"), (#""amount":1e400"#, nil),
            (#""amount":99999999999999999999"#, nil), (#""amount":1,"stock":100001"#, "stock"),
            (#""amount":1,"stock":0"#, "stock"), (#""amount":1,"stock":-9223372036854775808"#, "stock"),
        ]
        for (fields, field) in rewards {
            cases.append(
                AttackCase(
                    "reward \(fields)", .POST, "\(draft)/rewards", as: .operatorAccount,
                    body: .json(#"{"type":"POINT","name":"p",\#(fields)}"#), expect: 400, "VALIDATION_FAILED",
                    field: field))
        }
        let conditions: [(String, String?)] = [
            (#"{"type":"CONTINUOUS_LOGIN","days":367}"#, "conditions[0].days"),
            (#"{"type":"FRIEND_INVITE","count":9223372036854775807}"#, "conditions[0].count"),
            (#"{"type":"FRIEND_INVITE","count":9223372036854775808}"#, nil),
            (#"{"type":"CUSTOM","activityType":"X","aggregate":"count","gte":1e309}"#, nil),
            (#"{"type":"CUSTOM","activityType":"X","aggregate":"count","gte":NaN}"#, nil),
        ]
        for (condition, field) in conditions {
            cases.append(
                AttackCase(
                    "condition \(condition)", .POST, "/events", as: .operatorAccount,
                    body: .json(
                        #"{"title":"t","startAt":"\#(now)","endAt":"\#(later)","conditions":[\#(condition)]}"#),
                    expect: 400, "VALIDATION_FAILED", field: field))
        }
        for date in ["99999-01-01T00:00:00Z", "-0001-01-01T00:00:00Z", "+2025-01-01T00:00:00Z"] {
            cases.append(
                AttackCase(
                    "event endAt \(date)", .POST, "/events", as: .operatorAccount,
                    body: .json(
                        #"{"title":"t","startAt":"\#(now)","endAt":"\#(date)","conditions":[{"type":"CONTINUOUS_LOGIN","days":1}]}"#
                    ),
                    expect: 400, "VALIDATION_FAILED"))
            cases.append(
                AttackCase(
                    "events activeAt=\(date)", .GET,
                    "/events?activeAt=\(date.addingPercentEncoding(withAllowedCharacters: .alphanumerics) ?? date)",
                    as: .alice, expect: 400, "VALIDATION_FAILED"))
        }
        cases.append(
            AttackCase(
                "activity occurredAt year 9999", .POST, "/activities", as: .service,
                body: AttackCase.json([
                    "userId": stage.alice.id, "type": "LEVEL_UP", "occurredAt": "9999-12-31T23:59:59Z",
                ]),
                expect: 400, "VALIDATION_FAILED", field: "occurredAt"))
        return cases
    }

    /// Cursors replayed by another user, moved to another list, or forged. Reads the
    /// genuine cursors it replays first.
    static func cursors(_ stage: HostileStage) async throws -> [AttackCase] {
        let gateway = stage.gateway
        func cursor(_ path: String, _ token: String) async throws -> String {
            let reply = try await gateway.call(.GET, path, token: token)
            guard let cursor = reply.object["nextCursor"] as? String else {
                throw TestSupportError("\(path) gave no cursor: \(reply.text)")
            }
            return cursor
        }
        let aliceCursor = try await cursor("/claims/me?limit=1", stage.alice.token)
        let eventsCursor = try await cursor("/events?limit=1", stage.operatorAccount.token)
        let usersCursor = try await cursor("/users?limit=1", stage.admin.token)
        let auditCursor = try await cursor("/audit-logs?limit=1", stage.auditor.token)
        let alicePage = try await gateway.call(
            .GET, "/claims/me?limit=1&cursor=\(aliceCursor)", token: stage.alice.token)
        let alicePageIDs = alicePage.items.compactMap { $0["id"] as? String }
        let alice = stage.alice.id
        let bob = stage.bob.id
        func forged(_ text: String) -> String { TokenForge.base64URL(Data(text.utf8)) }
        func only(_ user: String) -> @Sendable (PlatformClient.Reply) -> String? {
            { reply in reply.items.allSatisfy { $0["userId"] as? String == user } ? nil : "another user's claims" }
        }
        return [
            AttackCase(
                "alice replays her cursor", .GET, "/claims/me?limit=1&cursor=\(aliceCursor)", as: .alice, expect: 200,
                check: { reply in
                    reply.items.compactMap { $0["id"] as? String } == alicePageIDs && !alicePageIDs.isEmpty
                        ? nil : "the replayed page differs"
                }),
            AttackCase(
                "bob replays alice's cursor", .GET, "/claims/me?cursor=\(aliceCursor)", as: .bob, expect: 200,
                check: only(bob)),
            AttackCase(
                "claims cursor on events", .GET, "/events?cursor=\(aliceCursor)", as: .alice, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "events cursor on claims", .GET, "/claims/me?cursor=\(eventsCursor)", as: .alice, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "users cursor on audit logs", .GET, "/audit-logs?cursor=\(usersCursor)", as: .auditor, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "audit cursor on users", .GET, "/users?cursor=\(auditCursor)", as: .admin, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "forged cursor past every id", .GET, "/claims/me?cursor=\(forged("cl:ffffffffffffffffffffffff"))",
                as: .alice, expect: 200, check: only(alice)),
            AttackCase(
                "forged cursor with an operator", .GET, "/claims/me?cursor=\(forged(#"cl:{"$gt":""}"#))", as: .alice,
                expect: 400, "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "forged cursor as a filter document", .GET,
                "/claims/me?cursor=\(forged(#"{"userId":{"$ne":null}}"#))", as: .alice, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "forged cursor with a user id", .GET, "/claims/me?cursor=\(forged("cl:\(stage.bobClaim):\(bob)"))",
                as: .alice, expect: 400, "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "cursor of 513 characters", .GET, "/claims/me?cursor=\(String(repeating: "A", count: 513))", as: .alice,
                expect: 400, "VALIDATION_FAILED", field: "cursor"),
            AttackCase(
                "cursor with NUL", .GET, "/claims/me?cursor=cl%00", as: .alice, expect: 400, "VALIDATION_FAILED",
                field: "cursor"),
            AttackCase(
                "cursor path traversal", .GET, "/claims/me?cursor=..%2F..%2Fetc%2Fpasswd", as: .alice, expect: 400,
                "VALIDATION_FAILED", field: "cursor"),
        ]
    }
}
