import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Events: creation rules, listing, reading, editing and status transitions.
@Suite(.serialized) struct EventLifecycleTests {
    static var login: [[String: Any]] { [["type": "CONTINUOUS_LOGIN", "days": 3]] }

    func body(_ harness: EventHarness, _ changes: [String: Any] = [:]) -> [String: Any] {
        var body: [String: Any] = [
            "title": "Login week", "startAt": EventHarness.iso(harness.clock.now),
            "endAt": EventHarness.iso(harness.clock.now.addingTimeInterval(86_400)), "conditions": Self.login,
        ]
        for (key, value) in changes { body[key] = value }
        return body
    }

    @Test func createdEventIsADraftWithDefaultsAndAnAuditEntry() async throws {
        try await EventHarness.run { harness in
            let staff = ObjectID()
            let response = try await harness.request(
                .post, "/events", token: try await EventHarness.token(staff.hex, [.operator]), json: body(harness))
            #expect(response.status == 201)
            #expect(response["status"] as? String == "DRAFT")
            #expect(response["timezone"] as? String == "UTC")
            #expect(response["description"] as? String == "")
            #expect(response["createdBy"] as? String == staff.hex)
            #expect(response["rewards"] == nil)
            let stored = try #require(try await harness.documents("events").first)
            #expect(stored["status"] == "DRAFT")
            #expect(stored["startAt"]?.dateValue != nil)
            #expect(stored["conditions"]?.arrayValue?.first == ["type": "CONTINUOUS_LOGIN", "days": .int64(3)])
            let audit = try #require(try await harness.documents("auditLogs").first)
            #expect(audit["action"] == "event.create")
            #expect(audit["actor"]?.documentValue?["id"] == .string(staff.hex))
            #expect(audit["target"] == ["type": "event", "id": .string(response.id)])
            #expect(audit["after"]?.documentValue?["title"] == "Login week")
            #expect(audit["before"] == nil)
        }
    }

    @Test func invalidEventsAreRefusedNamingTheField() async throws {
        try await EventHarness.run { harness in
            let cases: [([String: Any], String)] = [
                (["title": ""], "title"),
                (["timezone": "Mars/Olympus"], "timezone"),
                (["timezone": "Asia/Seoul; drop"], "timezone"),
                (["timezone": "GMT+5"], "timezone"),
                (["conditions": [[String: Any]]()], "conditions"),
                (["conditions": [["type": "CONTINUOUS_LOGIN", "days": 0]]], "conditions[0].days"),
                (["conditions": [["type": "FRIEND_INVITE", "count": 1001]]], "conditions[0].count"),
                (
                    ["conditions": [["type": "CUSTOM", "activityType": "lower", "aggregate": "count", "gte": 1]]],
                    "conditions[0].activityType"
                ),
                (
                    ["conditions": [["type": "CUSTOM", "activityType": "MATCH", "aggregate": "sum", "gte": 1]]],
                    "conditions[0].field"
                ),
                (
                    [
                        "conditions": [
                            [
                                "type": "CUSTOM", "activityType": "MATCH", "aggregate": "count",
                                "field": "attributes.x", "gte": 1,
                            ]
                        ]
                    ], "conditions[0].field"
                ),
                (
                    [
                        "conditions": [
                            [
                                "type": "CUSTOM", "activityType": "MATCH", "aggregate": "max",
                                "field": "attributes.$where", "gte": 1,
                            ]
                        ]
                    ], "conditions[0].field"
                ),
                (
                    [
                        "conditions": [
                            ["type": "CUSTOM", "activityType": "MATCH", "aggregate": "max", "field": "score", "gte": 1]
                        ]
                    ], "conditions[0].field"
                ),
            ]
            let token = try await harness.operatorToken()
            for (changes, field) in cases {
                let response = try await harness.request(.post, "/events", token: token, json: body(harness, changes))
                #expect(response.status == 400, "\(changes)")
                #expect(response.code == "VALIDATION_FAILED")
                #expect(response.details["field"] as? String == field, "\(changes)")
            }
            #expect(try await harness.count("events") == 0)
        }
    }

    @Test func startMustBeBeforeEndAndUnknownFieldsAreRefused() async throws {
        try await EventHarness.run { harness in
            let token = try await harness.operatorToken()
            let reversed = try await harness.request(
                .post, "/events", token: token,
                json: body(harness, ["endAt": EventHarness.iso(harness.clock.now.addingTimeInterval(-1))]))
            #expect(reversed.status == 400)
            #expect(reversed.details["field"] as? String == "endAt")
            let unknown = try await harness.request(
                .post, "/events", token: token, json: body(harness, ["color": "red"]))
            #expect(unknown.status == 400)
            let wrongType = try await harness.request(
                .post, "/events", token: token, json: body(harness, ["conditions": [["type": "NOPE"]]]))
            #expect(wrongType.status == 400)
            let notJSON = try await harness.request(.post, "/events", token: token, rawBody: "{not json")
            #expect(notJSON.status == 400)
            #expect(try await harness.count("events") == 0)
        }
    }

    @Test func usersNeverSeeDraftsAndListsFilterAndPage() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let draft = try await harness.createEvent(conditions: Self.login, title: "draft")
            let active = try await harness.activeEvent(conditions: Self.login).event
            let later = try await harness.activeEvent(
                conditions: Self.login, start: now.addingTimeInterval(86_400 * 10),
                end: now.addingTimeInterval(86_400 * 20)
            ).event
            let user = try await harness.userToken(ObjectID())
            let staff = try await harness.auditorToken()

            let userList = try await harness.request(.get, "/events", token: user)
            #expect(Set(userList.items.compactMap { $0["id"] as? String }) == [active, later])
            #expect(try await harness.request(.get, "/events?status=DRAFT", token: user).items.isEmpty)
            #expect(try await harness.request(.get, "/events/\(draft)", token: user).status == 404)
            #expect(try await harness.request(.get, "/events/\(draft)/rewards", token: user).status == 404)
            #expect(try await harness.request(.get, "/events/\(draft)", token: staff).status == 200)
            let staffDrafts = try await harness.request(.get, "/events?status=DRAFT", token: staff)
            #expect(staffDrafts.items.compactMap { $0["id"] as? String } == [draft])

            let activeNow = try await harness.request(
                .get, "/events?activeAt=\(EventHarness.iso(now.addingTimeInterval(60)))", token: user)
            #expect(activeNow.items.compactMap { $0["id"] as? String } == [active])

            // Pages of one, newest first; an insert meanwhile does not disturb the walk.
            let first = try await harness.request(.get, "/events?limit=1", token: staff)
            #expect(first.items.compactMap { $0["id"] as? String } == [later])
            let cursor = try #require(first["nextCursor"] as? String)
            _ = try await harness.createEvent(conditions: Self.login, title: "inserted meanwhile")
            let second = try await harness.request(.get, "/events?limit=1&cursor=\(cursor)", token: staff)
            #expect(second.items.compactMap { $0["id"] as? String } == [active])
            let third = try await harness.request(
                .get, "/events?limit=1&cursor=\(try #require(second["nextCursor"] as? String))", token: staff)
            #expect(third.items.compactMap { $0["id"] as? String } == [draft])
            #expect(third["nextCursor"] == nil || third["nextCursor"] is NSNull)

            for bad in ["limit=0", "limit=101", "cursor=forged", "cursor=Y2w6MDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAw"] {
                let response = try await harness.request(.get, "/events?\(bad)", token: staff)
                #expect(response.status == 400, "\(bad)")
                #expect(response.code == "VALIDATION_FAILED")
            }
        }
    }

    @Test func getIncludesRewardsAndBadIdsAreNeverServerErrors() async throws {
        try await EventHarness.run { harness in
            let (event, rewards) = try await harness.activeEvent(conditions: Self.login)
            let user = try await harness.userToken(ObjectID())
            let response = try await harness.request(.get, "/events/\(event)", token: user)
            #expect(response.status == 200)
            #expect((response["rewards"] as? [[String: Any]])?.compactMap { $0["id"] as? String } == rewards)
            #expect(try await harness.request(.get, "/events/\(ObjectID().hex)", token: user).status == 404)
            for bad in ["abc", "6B06DE03A1BAF870986F38E1", "zz06de03a1baf870986f38e1", "%24where"] {
                let response = try await harness.request(.get, "/events/\(bad)", token: user)
                #expect(response.status == 400, "\(bad)")
            }
        }
    }

    @Test func statusTransitionsFollowTheMachine() async throws {
        try await EventHarness.run { harness in
            let event = try await harness.createEvent(conditions: Self.login)
            var response = try await harness.setStatus(event, "INACTIVE")
            #expect(response.status == 409)
            #expect(response.code == "INVALID_TRANSITION")
            #expect(response.details["allowed"] as? [String] == ["ACTIVE"])
            #expect(response.details["current"] as? String == "DRAFT")

            response = try await harness.setStatus(event, "ACTIVE")
            #expect(response.status == 422)  // no reward yet
            #expect(response.code == "BUSINESS_RULE")
            try await harness.addReward(event, ["type": "POINT", "name": "P", "amount": 1])
            #expect(try await harness.setStatus(event, "ACTIVE").status == 200)
            #expect(
                try await harness.setStatus(event, "DRAFT").details["allowed"] as? [String] == [
                    "INACTIVE", "COMPLETED",
                ])
            #expect(try await harness.setStatus(event, "INACTIVE")["status"] as? String == "INACTIVE")
            #expect(try await harness.setStatus(event, "ACTIVE")["status"] as? String == "ACTIVE")
            #expect(try await harness.setStatus(event, "COMPLETED")["status"] as? String == "COMPLETED")
            response = try await harness.setStatus(event, "ACTIVE")
            #expect(response.status == 409)
            #expect(response.details["allowed"] as? [String] == [])
            #expect(try await harness.count("auditLogs", ["action": "event.status"]) == 4)
            let last = try #require(try await harness.documents("auditLogs", ["action": "event.status"]).last)
            #expect(last["before"]?.documentValue?["status"] == "ACTIVE")
            #expect(last["after"]?.documentValue?["status"] == "COMPLETED")

            // Rewards cannot be added to a COMPLETED event.
            let late = try await harness.request(
                .post, "/events/\(event)/rewards", token: try await harness.operatorToken(),
                json: ["type": "POINT", "name": "P", "amount": 1])
            #expect(late.status == 409)
            #expect(late.code == "CONFLICT")
        }
    }

    @Test func anEventPastItsEndCannotBecomeActive() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let event = try await harness.createEvent(
                conditions: Self.login, start: now.addingTimeInterval(-7200), end: now.addingTimeInterval(-3600))
            try await harness.addReward(event, ["type": "POINT", "name": "P", "amount": 1])
            let response = try await harness.setStatus(event, "ACTIVE")
            #expect(response.status == 422)
            #expect(response.code == "BUSINESS_RULE")
        }
    }

    @Test func patchEditsDraftsAndInactiveEventsOnly() async throws {
        try await EventHarness.run { harness in
            let token = try await harness.operatorToken()
            let event = try await harness.createEvent(conditions: Self.login)
            var response = try await harness.request(
                .patch, "/events/\(event)", token: token,
                json: ["title": "Renamed", "conditions": [["type": "FRIEND_INVITE", "count": 2]]])
            #expect(response.status == 200)
            #expect(response["title"] as? String == "Renamed")
            #expect((response["conditions"] as? [[String: Any]])?.first?["type"] as? String == "FRIEND_INVITE")
            response = try await harness.request(.patch, "/events/\(event)", token: token, json: [:])
            #expect(response.status == 400)
            response = try await harness.request(
                .patch, "/events/\(event)", token: token,
                json: ["startAt": EventHarness.iso(harness.clock.now.addingTimeInterval(86_400 * 30))])
            #expect(response.status == 400)  // would start after it ends
            #expect(response.details["field"] as? String == "endAt")

            try await harness.addReward(event, ["type": "POINT", "name": "P", "amount": 1])
            _ = try await harness.setStatus(event, "ACTIVE")
            response = try await harness.request(.patch, "/events/\(event)", token: token, json: ["title": "Live edit"])
            #expect(response.status == 409)
            #expect(response.code == "CONFLICT")
            #expect(response.details["status"] as? String == "ACTIVE")

            _ = try await harness.setStatus(event, "INACTIVE")
            response = try await harness.request(
                .patch, "/events/\(event)", token: token, json: ["description": "Paused"])
            #expect(response.status == 200)
            response = try await harness.request(
                .patch, "/events/\(event)", token: token,
                json: ["endAt": EventHarness.iso(harness.clock.now.addingTimeInterval(-1))])
            #expect(response.status == 400 || response.status == 422)
            #expect(try await harness.count("auditLogs", ["action": "event.update"]) == 2)
            #expect(
                try await harness.request(.patch, "/events/\(ObjectID().hex)", token: token, json: ["title": "x"])
                    .status == 404)
        }
    }
}
