import Foundation
import HTTPTypes
import MongoKit
import TestSupport
import Testing

@testable import EventService

/// Conditions evaluated against the test MongoDB through `GET /events/{id}/progress` and claims.
@Suite(.serialized) struct ConditionEvaluationTests {
    /// Seoul is UTC+9: local midnight is 15:00 UTC the day before.
    static let seoulLogins = [
        date("2024-02-29T15:30:00Z"),  // 3/1 00:30 local — UTC 2/29
        date("2024-03-01T14:59:00Z"),  // 3/1 23:59 local — same local day, across UTC midnight
        date("2024-03-01T15:00:00Z"),  // 3/2 00:00 local
        date("2024-03-02T23:50:00Z"),  // 3/3
        date("2024-03-04T01:00:00Z"),  // 3/4
        date("2024-03-04T16:00:00Z"),  // 3/5
        date("2024-03-05T16:00:00Z"),  // 3/6
        date("2024-03-07T14:00:00Z"),  // 3/7 23:00 local
    ]

    func progress(_ harness: EventHarness, _ event: String, _ user: ObjectID) async throws -> JSONResponse {
        try await harness.request(.get, "/events/\(event)/progress", token: try await harness.userToken(user))
    }

    func condition(_ response: JSONResponse, _ index: Int = 0) -> [String: Any] {
        (response["conditions"] as? [[String: Any]])?[index] ?? [:]
    }

    @Test func sevenDayStreakInSeoulCountsLocalDays() async throws {
        try await EventHarness.run(at: date("2024-03-10T00:00:00Z")) { harness in
            let (event, _) = try await harness.activeEvent(
                conditions: [["type": "CONTINUOUS_LOGIN", "days": 7]], start: date("2024-02-20T00:00:00Z"),
                end: date("2024-03-31T00:00:00Z"), timezone: "Asia/Seoul")
            let user = ObjectID()
            try await harness.logins(user, Self.seoulLogins)
            try await harness.logins(ObjectID(), [date("2024-03-08T01:00:00Z")])  // someone else's
            let response = try await progress(harness, event, user)
            #expect(response.status == 200)
            #expect(condition(response)["current"] as? Double == 7)
            #expect(condition(response)["required"] as? Double == 7)
            #expect(condition(response)["met"] as? Bool == true)
            #expect(response["met"] as? Bool == true)

            let claim = try await harness.claim(event, as: user)
            #expect(claim.status == 201)
            #expect(claim["status"] as? String == "GRANTED")
            let activityIDs = claim["activityIds"] as? [String] ?? []
            #expect(activityIDs.count == 8)  // every LOGIN of the 7 days, both of 3/1 included
        }
    }

    @Test func theSameLoginsCountedInUTCWouldNotMakeSevenDays() async throws {
        try await EventHarness.run(at: date("2024-03-10T00:00:00Z")) { harness in
            let (event, _) = try await harness.activeEvent(
                conditions: [["type": "CONTINUOUS_LOGIN", "days": 7]], start: date("2024-02-20T00:00:00Z"),
                end: date("2024-03-31T00:00:00Z"), timezone: "UTC")
            let user = ObjectID()
            try await harness.logins(user, Self.seoulLogins)
            let response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 3)  // 2/29, 3/1, 3/2 in UTC
            #expect(condition(response)["met"] as? Bool == false)
        }
    }

    @Test func brokenStreakReportsTheLongestRunAndIsRejected() async throws {
        try await EventHarness.run(at: date("2024-03-10T00:00:00Z")) { harness in
            let (event, _) = try await harness.activeEvent(
                conditions: [["type": "CONTINUOUS_LOGIN", "days": 7]], start: date("2024-02-20T00:00:00Z"),
                end: date("2024-03-31T00:00:00Z"), timezone: "Asia/Seoul")
            let user = ObjectID()
            // Local 3/4 missing: runs 3/1–3/3 and 3/5–3/7.
            try await harness.logins(user, Self.seoulLogins.filter { $0 != date("2024-03-04T01:00:00Z") })
            let response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 3)
            #expect(condition(response)["met"] as? Bool == false)

            let claim = try await harness.claim(event, as: user)
            #expect(claim.status == 422)
            #expect(claim.code == "CONDITION_NOT_MET")
            let snapshot = claim.details["progress"] as? [[String: Any]] ?? []
            #expect(snapshot.first?["current"] as? Double == 3)
        }
    }

    @Test func streakAcrossTheDSTChangeInNewYork() async throws {
        try await EventHarness.run(at: date("2024-03-20T00:00:00Z")) { harness in
            let (event, _) = try await harness.activeEvent(
                conditions: [["type": "CONTINUOUS_LOGIN", "days": 3]], start: date("2024-03-01T00:00:00Z"),
                end: date("2024-03-31T00:00:00Z"), timezone: "America/New_York")
            let user = ObjectID()
            // 3/9, 3/10 (23-hour day), 3/11 local evenings.
            try await harness.logins(
                user,
                [date("2024-03-10T02:00:00Z"), date("2024-03-11T02:30:00Z"), date("2024-03-12T01:00:00Z")])
            let response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 3)
            #expect(condition(response)["met"] as? Bool == true)
        }
    }

    @Test func distinctInviteesCountOnceEach() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: [["type": "FRIEND_INVITE", "count": 3]])
            let user = ObjectID()
            let now = harness.clock.now
            try await harness.record(
                user,
                [
                    ("FRIEND_INVITE", now.addingTimeInterval(-60), ["inviteeId": "a"]),
                    ("FRIEND_INVITE", now.addingTimeInterval(-50), ["inviteeId": "b"]),
                    ("FRIEND_INVITE", now.addingTimeInterval(-40), ["inviteeId": "a"]),  // repeated
                    ("FRIEND_INVITE", now.addingTimeInterval(-30), [:]),  // no invitee
                ])
            var response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 2)
            #expect(condition(response)["met"] as? Bool == false)
            try await harness.record(user, [("FRIEND_INVITE", now.addingTimeInterval(-20), ["inviteeId": "c"])])
            response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 3)
            #expect(condition(response)["met"] as? Bool == true)
        }
    }

    @Test func customSumOverScoreIgnoresNonNumbersAndActivityOutsideTheWindow() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let (event, _) = try await harness.activeEvent(
                conditions: [
                    [
                        "type": "CUSTOM", "activityType": "MATCH", "aggregate": "sum", "field": "attributes.score",
                        "gte": 30,
                    ]
                ],
                start: now.addingTimeInterval(-3600))
            let user = ObjectID()
            try await harness.record(
                user,
                [
                    ("MATCH", now.addingTimeInterval(-60), ["score": 10]),
                    ("MATCH", now.addingTimeInterval(-50), ["score": 12.5]),
                    ("MATCH", now.addingTimeInterval(-40), ["score": "7"]),  // a string: ignored
                    ("MATCH", now.addingTimeInterval(-30), [:]),  // no score: ignored
                    ("MATCH", now.addingTimeInterval(-7200), ["score": 100]),  // before the window
                    ("OTHER", now.addingTimeInterval(-20), ["score": 100]),  // another type
                ])
            var response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 22.5)
            #expect(condition(response)["met"] as? Bool == false)
            try await harness.record(user, [("MATCH", now.addingTimeInterval(-10), ["score": 8])])
            response = try await progress(harness, event, user)
            #expect(condition(response)["current"] as? Double == 30.5)
            #expect(condition(response)["met"] as? Bool == true)
        }
    }

    @Test func customMaxAndCountAndSeveralConditionsInOneEvaluation() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let (event, _) = try await harness.activeEvent(conditions: [
                [
                    "type": "CUSTOM", "activityType": "LEVEL_UP", "aggregate": "max", "field": "attributes.level",
                    "gte": 50,
                ],
                ["type": "CUSTOM", "activityType": "LEVEL_UP", "aggregate": "count", "gte": 3],
                ["type": "FRIEND_INVITE", "count": 1],
            ])
            let user = ObjectID()
            try await harness.record(
                user,
                [
                    ("LEVEL_UP", now.addingTimeInterval(-60), ["level": 20]),
                    ("LEVEL_UP", now.addingTimeInterval(-50), ["level": 55]),
                    ("LEVEL_UP", now.addingTimeInterval(-40), ["level": 30]),
                ])
            let response = try await progress(harness, event, user)
            #expect(condition(response, 0)["current"] as? Double == 55)
            #expect(condition(response, 0)["met"] as? Bool == true)
            #expect(condition(response, 1)["current"] as? Double == 3)
            #expect(condition(response, 2)["current"] as? Double == 0)
            #expect(condition(response, 2)["type"] as? String == "FRIEND_INVITE")
            #expect(response["met"] as? Bool == false)
        }
    }

    @Test func evidenceIsTheEarliestThousandActivitiesAndEachInviteesFirstInvitation() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let (event, _) = try await harness.activeEvent(
                conditions: [
                    ["type": "CUSTOM", "activityType": "PLAY", "aggregate": "count", "gte": 1],
                    ["type": "FRIEND_INVITE", "count": 2],
                ],
                start: now.addingTimeInterval(-7200))
            let user = ObjectID()
            // 1,003 plays, newest recorded first, so storage order is not time order.
            let plays = (0..<1_003).map { ("PLAY", now.addingTimeInterval(-Double($0 + 1)), [String: Any]()) }
            try await harness.record(user, Array(plays[..<1_000]))
            try await harness.record(user, Array(plays[1_000...]))
            try await harness.record(
                user,
                [
                    ("FRIEND_INVITE", now.addingTimeInterval(-3000), ["inviteeId": "a"]),
                    ("FRIEND_INVITE", now.addingTimeInterval(-2000), ["inviteeId": "b"]),
                    ("FRIEND_INVITE", now.addingTimeInterval(-1000), ["inviteeId": "a"]),  // again: not evidence
                ])
            let response = try await progress(harness, event, user)
            #expect(condition(response, 0)["current"] as? Double == 1_003)

            let claim = try await harness.claim(event, as: user)
            #expect(claim.status == 201)
            let evidence = Set(claim["activityIds"] as? [String] ?? [])
            let earliestPlays = try await harness.database.collection("activities")
                .find(["type": "PLAY"], options: FindOptions(sort: ["occurredAt": 1, "_id": 1], limit: 1_000))
                .toArray().compactMap { $0["_id"]?.objectIDValue?.hex }
            let invites = try await harness.database.collection("activities")
                .find(["type": "FRIEND_INVITE"], options: FindOptions(sort: ["occurredAt": 1]))
                .toArray().compactMap { $0["_id"]?.objectIDValue?.hex }
            #expect(earliestPlays.count == 1_000)
            #expect(evidence == Set(earliestPlays + [invites[0], invites[1]]))
        }
    }

    @Test func progressOfADraftOrMissingEventIs404AndABadIdIs400() async throws {
        try await EventHarness.run { harness in
            let draft = try await harness.createEvent(conditions: [["type": "FRIEND_INVITE", "count": 1]])
            let user = ObjectID()
            #expect(try await progress(harness, draft, user).status == 404)
            #expect(try await progress(harness, ObjectID().hex, user).status == 404)
            let bad = try await harness.request(.get, "/events/nope/progress", token: try await harness.userToken(user))
            #expect(bad.status == 400)
            #expect(bad.code == "VALIDATION_FAILED")
            let staff = try await harness.request(
                .get, "/events/\(draft)/progress", token: try await harness.operatorToken())
            #expect(staff.status == 403)
        }
    }
}
