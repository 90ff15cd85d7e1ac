import Foundation
import NIOHTTP1
import TestSupport

/// Broken object-level authorization (another user's claim, wallet, progress, refresh
/// token), role escalation, and mass assignment (fields a client may not set: roles,
/// status, createdBy, stock, ids, secrets).
enum AccessCases {
    static func bola(_ stage: HostileStage) -> [AttackCase] {
        let alice = stage.alice.id
        let bob = stage.bob.id
        let event = stage.activeEvent
        let draft = stage.draftEvent
        return [
            AttackCase(
                "alice reads bob's claim", .GET, "/claims/\(stage.bobClaim)", as: .alice, expect: 404, "NOT_FOUND"),
            AttackCase(
                "bob reads alice's claim", .GET, "/claims/\(stage.aliceClaim)", as: .bob, expect: 404, "NOT_FOUND"),
            AttackCase(
                "alice's wallet with ?userId=bob", .GET, "/wallet/me?userId=\(bob)", as: .alice, expect: 200,
                check: { reply in
                    reply.object["userId"] as? String == alice && reply.object["points"] as? Int == 0
                        ? nil : "not alice's empty wallet: \(reply.text)"
                }),
            AttackCase(
                "alice's wallet with spoofed X-User-Id", .GET, "/wallet/me", as: .alice,
                headers: [["X-User-Id", bob], ["X-User-Roles", "ADMIN"]], expect: 200,
                check: { $0.object["userId"] as? String == alice ? nil : "identity header trusted" }),
            AttackCase(
                "alice's progress with ?userId=bob", .GET, "/events/\(event)/progress?userId=\(bob)", as: .alice,
                expect: 200,
                check: { reply in
                    reply.object["userId"] as? String == alice && reply.object["met"] as? Bool == false
                        ? nil : "not alice's progress: \(reply.text)"
                }),
            AttackCase(
                "alice's claims with ?userId=bob", .GET, "/claims/me?userId=\(bob)", as: .alice, expect: 200,
                check: { reply in
                    reply.items.allSatisfy { $0["userId"] as? String == alice } && !reply.items.isEmpty
                        ? nil : "not only alice's claims"
                }),
            AttackCase(
                "alice claims with a body naming bob", .POST, "/events/\(event)/claims", as: .alice,
                body: AttackCase.json(["userId": bob]), headers: [["X-User-Id", bob]], expect: 422,
                "CONDITION_NOT_MET"),
            AttackCase("alice lists all claims", .GET, "/claims?userId=\(bob)", as: .alice, expect: 403, "FORBIDDEN"),
            AttackCase("alice lists users", .GET, "/users", as: .alice, expect: 403, "FORBIDDEN"),
            AttackCase("alice reads the audit log", .GET, "/audit-logs", as: .alice, expect: 403, "FORBIDDEN"),
            AttackCase(
                "alice makes herself ADMIN", .PUT, "/users/\(alice)/roles", as: .alice,
                body: AttackCase.json(["roles": ["ADMIN"]]), expect: 403, "FORBIDDEN"),
            AttackCase(
                "operator makes herself ADMIN", .PUT, "/users/\(stage.operatorAccount.id)/roles", as: .operatorAccount,
                body: AttackCase.json(["roles": ["ADMIN"]]), expect: 403, "FORBIDDEN"),
            AttackCase(
                "auditor records activity", .POST, "/activities", as: .auditor,
                body: AttackCase.json(["userId": alice, "type": "LEVEL_UP", "occurredAt": PlatformClient.iso(Date())]),
                expect: 403, "FORBIDDEN"),
            AttackCase(
                "alice logs bob out", .POST, "/auth/logout", as: .alice,
                body: AttackCase.json(["refreshToken": stage.bob.refreshToken]), expect: 204),
            AttackCase("SERVICE reads a wallet", .GET, "/wallet/me", as: .service, expect: 403, "FORBIDDEN"),
            AttackCase("SERVICE claims", .POST, "/events/\(event)/claims", as: .service, expect: 403, "FORBIDDEN"),
            AttackCase(
                "SERVICE creates an event", .POST, "/events", as: .service, body: .json("{}"), expect: 403, "FORBIDDEN"),
            AttackCase("alice reads a DRAFT event", .GET, "/events/\(draft)", as: .alice, expect: 404, "NOT_FOUND"),
            AttackCase(
                "alice reads a DRAFT event's rewards", .GET, "/events/\(draft)/rewards", as: .alice, expect: 404,
                "NOT_FOUND"),
            AttackCase(
                "alice's progress on a DRAFT event", .GET, "/events/\(draft)/progress", as: .alice, expect: 404,
                "NOT_FOUND"),
            AttackCase(
                "alice claims a DRAFT event", .POST, "/events/\(draft)/claims", as: .alice, expect: 404, "NOT_FOUND"),
            AttackCase(
                "alice lists DRAFT events", .GET, "/events?status=DRAFT", as: .alice, expect: 200,
                check: { $0.items.isEmpty ? nil : "a USER saw DRAFT events" }),
        ]
    }

    static func massAssignment(_ stage: HostileStage) -> [AttackCase] {
        let active = "/events/\(stage.activeEvent)"
        let draft = "/events/\(stage.draftEvent)"
        let register: [String: Any] = ["email": "mass@example.com", "password": "password-123", "nickname": "m"]
        func with(_ base: [String: Any], _ key: String, _ value: Any) -> AttackCase.Body {
            AttackCase.json(base.merging([key: value]) { $1 })
        }
        let now = PlatformClient.iso(Date())
        let event: [String: Any] = [
            "title": "t", "startAt": now, "endAt": PlatformClient.iso(Date().addingTimeInterval(60)),
            "conditions": [["type": "CONTINUOUS_LOGIN", "days": 1]],
        ]
        let reward: [String: Any] = ["type": "POINT", "name": "p", "amount": 1]
        var cases: [AttackCase] = []
        for (key, value) in [("roles", ["ADMIN"]), ("id", stage.admin.id), ("createdAt", now)] as [(String, Any)] {
            cases.append(
                AttackCase(
                    "register with \(key)", .POST, "/auth/register", as: .anonymous, body: with(register, key, value),
                    expect: 400, "VALIDATION_FAILED", field: key))
        }
        cases.append(
            AttackCase(
                "login with roles", .POST, "/auth/login", as: .anonymous,
                body: AttackCase.json(["email": stage.alice.email, "password": "x", "roles": ["ADMIN"]]), expect: 400,
                "VALIDATION_FAILED", field: "roles"))
        let patchFields: [(String, Any)] = [
            ("status", "DRAFT"), ("createdBy", stage.alice.id), ("stock", 1_000), ("rewards", []),
            ("id", stage.draftEvent),
            ("createdAt", now),
        ]
        for (key, value) in patchFields {
            cases.append(
                AttackCase(
                    "PATCH ACTIVE event \(key)", .PATCH, active, as: .operatorAccount,
                    body: AttackCase.json(["title": "hijacked", key: value]), expect: 400, "VALIDATION_FAILED",
                    field: key))
        }
        cases += [
            AttackCase(
                "PATCH ACTIVE event title", .PATCH, active, as: .operatorAccount,
                body: AttackCase.json(["title": "hijacked"]), expect: 409, "CONFLICT"),
            AttackCase(
                "PATCH DRAFT event status", .PATCH, draft, as: .operatorAccount,
                body: AttackCase.json(["status": "ACTIVE"]), expect: 400, "VALIDATION_FAILED", field: "status"),
            AttackCase(
                "PATCH DRAFT event createdBy", .PATCH, draft, as: .operatorAccount,
                body: AttackCase.json(["createdBy": stage.alice.id]), expect: 400, "VALIDATION_FAILED",
                field: "createdBy"),
            AttackCase(
                "create event ACTIVE", .POST, "/events", as: .operatorAccount, body: with(event, "status", "ACTIVE"),
                expect: 400, "VALIDATION_FAILED", field: "status"),
            AttackCase(
                "create event createdBy", .POST, "/events", as: .operatorAccount,
                body: with(event, "createdBy", stage.alice.id), expect: 400, "VALIDATION_FAILED", field: "createdBy"),
            AttackCase(
                "status change with createdBy", .POST, "\(active)/status", as: .operatorAccount,
                body: AttackCase.json(["status": "INACTIVE", "createdBy": stage.alice.id]), expect: 400,
                "VALIDATION_FAILED", field: "createdBy"),
            AttackCase(
                "reward with remainingStock", .POST, "\(draft)/rewards", as: .operatorAccount,
                body: with(reward, "remainingStock", 999), expect: 400, "VALIDATION_FAILED", field: "remainingStock"),
            AttackCase(
                "reward with eventId", .POST, "\(draft)/rewards", as: .operatorAccount,
                body: with(reward, "eventId", stage.activeEvent), expect: 400, "VALIDATION_FAILED", field: "eventId"),
            AttackCase(
                "roles SERVICE", .PUT, "/users/\(stage.alice.id)/roles", as: .admin,
                body: AttackCase.json(["roles": ["SERVICE"]]), expect: 400, "VALIDATION_FAILED", field: "roles[0]"),
            AttackCase(
                "roles repeated", .PUT, "/users/\(stage.alice.id)/roles", as: .admin,
                body: AttackCase.json(["roles": ["USER", "USER"]]), expect: 400, "VALIDATION_FAILED", field: "roles"),
            AttackCase(
                "roles empty", .PUT, "/users/\(stage.alice.id)/roles", as: .admin,
                body: AttackCase.json(["roles": []]), expect: 400, "VALIDATION_FAILED", field: "roles"),
            AttackCase(
                "activity with recordedBy", .POST, "/activities", as: .service,
                body: AttackCase.json([
                    "userId": stage.alice.id, "type": "LEVEL_UP", "occurredAt": now,
                    "recordedBy": ["subject": stage.admin.id, "role": "ADMIN"],
                ]), expect: 400, "VALIDATION_FAILED"),
            AttackCase(
                "service client with its own secret", .POST, "/service-clients", as: .admin,
                body: AttackCase.json(["name": "mine", "clientSecret": "chosen-secret"]), expect: 400,
                "VALIDATION_FAILED", field: "clientSecret"),
            AttackCase(
                "refresh with userId", .POST, "/auth/refresh", as: .anonymous,
                body: AttackCase.json(["refreshToken": stage.alice.refreshToken, "userId": stage.bob.id]), expect: 400,
                "VALIDATION_FAILED", field: "userId"),
        ]
        return cases
    }
}
