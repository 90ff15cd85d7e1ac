import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// `POST /activities`: validation, batches, idempotent retries, `recordedBy`.
@Suite(.serialized) struct ActivityTests {
    func activity(_ harness: EventHarness, _ changes: [String: Any] = [:]) -> [String: Any] {
        var activity: [String: Any] = [
            "userId": ObjectID().hex, "type": "LOGIN", "occurredAt": EventHarness.iso(harness.clock.now),
            "attributes": ["level": 3, "region": "kr", "vip": true, "note": NSNull()],
        ]
        for (key, value) in changes { activity[key] = value }
        return activity
    }

    @Test func oneActivityIsStoredWithWhoRecordedIt() async throws {
        try await EventHarness.run { harness in
            let input = activity(harness)
            let response = try await harness.request(
                .post, "/activities", token: try await harness.serviceToken("game-1"), json: input)
            #expect(response.status == 201)
            #expect(response["recorded"] as? Int == 1)
            #expect(response["duplicates"] as? Int == 0)
            let stored = try #require(try await harness.documents("activities").first)
            #expect(stored["_id"]?.objectIDValue?.hex == response.items.first?["id"] as? String)
            #expect(stored["userId"]?.objectIDValue?.hex == input["userId"] as? String)
            #expect(stored["occurredAt"]?.dateValue != nil)
            #expect(stored["recordedBy"] == ["subject": "game-1", "role": "SERVICE"])
            #expect(stored["attributes"] == ["level": .int64(3), "note": .null, "region": "kr", "vip": true])

            let staff = ObjectID()
            _ = try await harness.request(
                .post, "/activities", token: try await EventHarness.token(staff.hex, [.operator]),
                json: activity(harness))
            #expect(
                try await harness.count(
                    "activities", ["recordedBy.subject": .string(staff.hex), "recordedBy.role": "OPERATOR"]) == 1)
        }
    }

    @Test func aRetriedSourceIdIsAHarmlessDuplicate() async throws {
        try await EventHarness.run { harness in
            let token = try await harness.serviceToken("auth-outbox-relay")
            let input = activity(harness, ["sourceId": "outbox-1"])
            let first = try await harness.request(.post, "/activities", token: token, json: input)
            let second = try await harness.request(.post, "/activities", token: token, json: input)
            #expect(first.status == 201 && second.status == 201)
            #expect(second["recorded"] as? Int == 0)
            #expect(second["duplicates"] as? Int == 1)
            #expect(second.items.first?["duplicate"] as? Bool == true)
            #expect(second.items.first?["id"] as? String == first.items.first?["id"] as? String)
            #expect(try await harness.count("activities") == 1)

            // In one batch, and from another source (which may reuse the key).
            let batch = try await harness.request(
                .post, "/activities", token: token,
                json: [
                    "activities": [
                        input, activity(harness, ["sourceId": "outbox-2"]),
                        activity(harness, ["sourceId": "outbox-2", "userId": input["userId"]!]),
                    ]
                ])
            #expect(batch["recorded"] as? Int == 2)
            #expect(batch["duplicates"] as? Int == 1)
            let other = try await harness.request(
                .post, "/activities", token: try await harness.serviceToken("other"), json: input)
            #expect(other["recorded"] as? Int == 1)
            #expect(try await harness.count("activities") == 4)
        }
    }

    @Test func concurrentDeliveriesOfOneSourceIdStoreItOnce() async throws {
        try await EventHarness.run { harness in
            let token = try await harness.serviceToken("relay")
            let input = String(
                decoding: try JSONSerialization.data(withJSONObject: activity(harness, ["sourceId": "same"])),
                as: UTF8.self)
            let results = try await withThrowingTaskGroup(of: (Int, Int, String?).self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        let response = try await harness.request(.post, "/activities", token: token, rawBody: input)
                        return (
                            response.status, response["recorded"] as? Int ?? -1, response.items.first?["id"] as? String
                        )
                    }
                }
                var all: [(Int, Int, String?)] = []
                for try await response in group { all.append(response) }
                return all
            }
            #expect(results.allSatisfy { $0.0 == 201 })
            #expect(results.map(\.1).reduce(0, +) == 1)
            #expect(Set(results.compactMap(\.2)).count == 1)
            #expect(try await harness.count("activities") == 1)
        }
    }

    @Test func invalidActivitiesAreRefusedWholeNamingTheField() async throws {
        try await EventHarness.run { harness in
            let token = try await harness.serviceToken()
            let tooBig = String(repeating: "x", count: 200)
            var bigAttributes: [String: Any] = [:]
            for index in 0..<30 { bigAttributes["k\(index)"] = tooBig }
            var manyAttributes: [String: Any] = [:]
            for index in 0..<33 { manyAttributes["k\(index)"] = index }
            let cases: [([String: Any], String?)] = [
                (["userId": "nope"], "userId"),
                (["type": "login"], "type"),
                (["type": String(repeating: "A", count: 33)], "type"),
                (["occurredAt": EventHarness.iso(harness.clock.now.addingTimeInterval(600))], "occurredAt"),
                (["attributes": ["nested": ["a": 1]]], "attributes.nested"),
                (["attributes": ["list": [1, 2]]], "attributes.list"),
                (["attributes": ["bad-key": 1]], "attributes.bad-key"),
                (["attributes": manyAttributes], "attributes"),
                (["attributes": bigAttributes], "attributes"),
                (["sourceId": ""], "sourceId"),
                (["extra": 1], nil),
            ]
            for (changes, field) in cases {
                let response = try await harness.request(
                    .post, "/activities", token: token, json: activity(harness, changes))
                #expect(response.status == 400, "\(changes.keys)")
                #expect(response.code == "VALIDATION_FAILED")
                if let field { #expect(response.details["field"] as? String == field, "\(changes.keys)") }
            }
            let batch = try await harness.request(
                .post, "/activities", token: token,
                json: ["activities": [activity(harness), activity(harness, ["userId": "bad"])]])
            #expect(batch.status == 400)
            #expect(batch.details["field"] as? String == "activities[1].userId")
            let empty = try await harness.request(.post, "/activities", token: token, json: ["activities": [Any]()])
            #expect(empty.status == 400)
            let huge = try await harness.request(
                .post, "/activities", token: token,
                json: ["activities": (0..<1001).map { _ in activity(harness, ["attributes": [String: Any]()]) }])
            #expect(huge.status == 400)
            #expect(try await harness.count("activities") == 0)
        }
    }

    @Test func aFullBatchIsRecorded() async throws {
        try await EventHarness.run { harness in
            let batch = (0..<1000).map { index in
                activity(harness, ["sourceId": "s\(index)", "attributes": ["n": index]])
            }
            let response = try await harness.request(
                .post, "/activities", token: try await harness.serviceToken(), json: ["activities": batch])
            #expect(response.status == 201)
            #expect(response["recorded"] as? Int == 1000)
            #expect(response.items.count == 1000)
            #expect(response.items[999]["sourceId"] as? String == "s999")
        }
    }

    @Test func onlyOperatorsAdminsAndServicesRecord() async throws {
        try await EventHarness.run { harness in
            let input = activity(harness)
            let anonymous = try await harness.request(.post, "/activities", json: input)
            #expect(anonymous.status == 401)
            let tokens = [
                try await harness.userToken(ObjectID()), try await harness.auditorToken(),
                try await harness.adminToken(),
            ]
            var statuses: [Int] = []
            for token in tokens {
                statuses.append(try await harness.request(.post, "/activities", token: token, json: input).status)
            }
            #expect(statuses == [403, 403, 201])
        }
    }
}
