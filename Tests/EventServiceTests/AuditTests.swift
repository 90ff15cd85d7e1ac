import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// The audit log: reading it, and auth's entries arriving through its outbox relay.
@Suite(.serialized) struct AuditTests {
    func entry(_ sourceID: String, action: String = "user.roles.set") -> [String: Any] {
        [
            "sourceId": sourceID, "actor": ["id": ObjectID().hex, "roles": ["ADMIN"]], "action": action,
            "target": ["type": "user", "id": ObjectID().hex], "before": ["roles": ["USER"]],
            "after": ["roles": ["USER", "OPERATOR"]], "requestId": "req-1", "at": "2024-03-01T10:00:00Z",
        ]
    }

    @Test func theRelayDeliversAuthEntriesOnce() async throws {
        try await EventHarness.run { harness in
            let relay = try await harness.serviceToken(CallerIdentity.authOutboxRelaySubject)
            let first = try await harness.request(
                .post, "/audit-logs", token: relay, json: ["entries": [entry("o1"), entry("o2")]])
            #expect(first.status == 201)
            #expect(first["recorded"] as? Int == 2)
            let again = try await harness.request(
                .post, "/audit-logs", token: relay, json: ["entries": [entry("o2"), entry("o3")]])
            #expect(again["recorded"] as? Int == 1)
            #expect(again["duplicates"] as? Int == 1)
            #expect(again.items.first?["id"] as? String == first.items.last?["id"] as? String)
            #expect(try await harness.count("auditLogs", ["source": "auth"]) == 3)
            let stored = try #require(try await harness.documents("auditLogs", ["sourceId": "o1"]).first)
            #expect(stored["before"] == ["roles": ["USER"]])
            #expect(stored["at"]?.dateValue == date("2024-03-01T10:00:00Z"))

            let list = try await harness.request(
                .get, "/audit-logs?action=user.roles.set", token: try await harness.auditorToken())
            #expect(list.status == 200)
            #expect(list.items.count == 3)
            #expect(list.items.first?["source"] as? String == "auth")
            #expect((list.items.first?["after"] as? [String: Any])?["roles"] as? [String] == ["USER", "OPERATOR"])
        }
    }

    @Test func onlyTheRelayMayDeliver() async throws {
        try await EventHarness.run { harness in
            let body = ["entries": [entry("o1")]]
            #expect(try await harness.request(.post, "/audit-logs", json: body).status == 401)
            let game = try await harness.request(
                .post, "/audit-logs", token: try await harness.serviceToken("game-server"), json: body)
            #expect(game.status == 403)
            #expect(game.code == "FORBIDDEN")
            #expect(
                try await harness.request(.post, "/audit-logs", token: try await harness.adminToken(), json: body)
                    .status == 403)
            let forged = try await EventHarness.token(CallerIdentity.authOutboxRelaySubject, [.admin])
            #expect(try await harness.request(.post, "/audit-logs", token: forged, json: body).status == 403)
            let relay = try await harness.serviceToken(CallerIdentity.authOutboxRelaySubject)
            let bad = try await harness.request(
                .post, "/audit-logs", token: relay, json: ["entries": [entry("o1", action: "Bad Action")]])
            #expect(bad.status == 400)
            #expect(bad.details["field"] as? String == "entries[0].action")
            #expect(try await harness.count("auditLogs") == 0)
        }
    }

    @Test func staffWritesAreListedWithFiltersAndPages() async throws {
        try await EventHarness.run { harness in
            let operatorID = ObjectID()
            let token = try await EventHarness.token(operatorID.hex, [.operator])
            let event = try await harness.createEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]], token: token)
            try await harness.addReward(event, ["type": "POINT", "name": "P", "amount": 1])
            _ = try await harness.setStatus(event, "ACTIVE")
            let auditor = try await harness.auditorToken()

            let all = try await harness.request(.get, "/audit-logs", token: auditor)
            #expect(
                all.items.compactMap { $0["action"] as? String } == ["event.status", "reward.create", "event.create"])
            #expect(all.items.allSatisfy { $0["source"] as? String == "event" })
            let mine = try await harness.request(.get, "/audit-logs?actorId=\(operatorID.hex)", token: auditor)
            #expect(mine.items.compactMap { $0["action"] as? String } == ["event.create"])
            let onEvent = try await harness.request(
                .get, "/audit-logs?targetType=event&targetId=\(event)", token: auditor)
            #expect(onEvent.items.count == 2)
            let status = try #require(onEvent.items.first)
            #expect((status["before"] as? [String: Any])?["status"] as? String == "DRAFT")
            #expect((status["after"] as? [String: Any])?["status"] as? String == "ACTIVE")
            #expect((status["actor"] as? [String: Any])?["roles"] as? [String] == ["OPERATOR"])

            let page = try await harness.request(.get, "/audit-logs?limit=2", token: auditor)
            #expect(page.items.count == 2)
            let next = try await harness.request(
                .get, "/audit-logs?limit=2&cursor=\(try #require(page["nextCursor"] as? String))", token: auditor)
            #expect(next.items.compactMap { $0["action"] as? String } == ["event.create"])
            let future = EventHarness.iso(harness.clock.now.addingTimeInterval(3600))
            #expect(try await harness.request(.get, "/audit-logs?from=\(future)", token: auditor).items.isEmpty)
            #expect(try await harness.request(.get, "/audit-logs?action=Bad", token: auditor).status == 400)
            // Another list's cursor is refused.
            let events = try await harness.request(.get, "/events?limit=1", token: auditor)
            if let foreign = events["nextCursor"] as? String {
                #expect(try await harness.request(.get, "/audit-logs?cursor=\(foreign)", token: auditor).status == 400)
            }
            #expect(try await harness.request(.get, "/audit-logs", token: token).status == 403)
            #expect(
                try await harness.request(.get, "/audit-logs", token: try await harness.userToken(ObjectID())).status
                    == 403)
            #expect(try await harness.request(.get, "/audit-logs", token: try await harness.adminToken()).status == 200)
        }
    }
}
