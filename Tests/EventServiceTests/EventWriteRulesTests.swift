import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Rewards' per-type rules, and who may write events.
@Suite(.serialized) struct EventWriteRulesTests {
    static var login: [[String: Any]] { EventLifecycleTests.login }

    func body(_ harness: EventHarness) -> [String: Any] {
        EventLifecycleTests().body(harness)
    }

    @Test func rewardsAreValidatedPerType() async throws {
        try await EventHarness.run { harness in
            let event = try await harness.createEvent(conditions: Self.login)
            let token = try await harness.operatorToken()
            let cases: [([String: Any], String?)] = [
                (["type": "POINT", "name": "P", "amount": 0], "amount"),
                (["type": "POINT", "name": "", "amount": 1], "name"),
                (["type": "POINT", "name": "P", "amount": 1, "stock": 0], "stock"),
                (["type": "ITEM", "name": "I", "itemCode": "bad code", "quantity": 1], "itemCode"),
                (["type": "ITEM", "name": "I", "itemCode": "OK", "quantity": 0], "quantity"),
                (["type": "COUPON", "name": "C", "couponTemplate": "lower"], "couponTemplate"),
                (["type": "COUPON", "name": "C"], nil),  // missing template: a schema error
                (["type": "POINT", "name": "P", "amount": 1, "itemCode": "X"], nil),  // field of another type
            ]
            for (reward, field) in cases {
                let response = try await harness.request(.post, "/events/\(event)/rewards", token: token, json: reward)
                #expect(response.status == 400, "\(reward)")
                if let field { #expect(response.details["field"] as? String == field) }
            }
            let ok = try await harness.request(
                .post, "/events/\(event)/rewards", token: token,
                json: ["type": "ITEM", "name": "Sword", "itemCode": "SWORD-1", "quantity": 2, "stock": NSNull()])
            #expect(ok.status == 201)
            #expect(ok["eventId"] as? String == event)
            #expect(try await harness.count("rewardStock") == 0)
            #expect(try await harness.count("auditLogs", ["action": "reward.create"]) == 1)
            #expect(
                try await harness.request(
                    .post, "/events/\(ObjectID().hex)/rewards", token: token,
                    json: ["type": "POINT", "name": "P", "amount": 1]
                ).status == 404)
        }
    }

    @Test func bodiesOverOneMebibyteAre413EvenWhenCalledDirectly() async throws {
        try await EventHarness.run { harness in
            let title = String(repeating: "x", count: 1 << 20)
            let response = try await harness.request(
                .post, "/events", token: try await harness.operatorToken(), rawBody: #"{"title":"\#(title)"}"#)
            #expect(response.status == 413)
            #expect(response.code == "PAYLOAD_TOO_LARGE")
            #expect(try await harness.count("events") == 0)
        }
    }

    @Test func writesNeedOperatorOrAdmin() async throws {
        try await EventHarness.run { harness in
            let event = try await harness.createEvent(conditions: Self.login)
            for token in [
                try await harness.userToken(ObjectID()), try await harness.auditorToken(),
                try await harness.serviceToken(),
            ] {
                #expect(try await harness.request(.post, "/events", token: token, json: body(harness)).status == 403)
                #expect(
                    try await harness.request(.patch, "/events/\(event)", token: token, json: ["title": "x"]).status
                        == 403)
                #expect(
                    try await harness.request(
                        .post, "/events/\(event)/status", token: token, json: ["status": "ACTIVE"]
                    ).status == 403)
                #expect(
                    try await harness.request(
                        .post, "/events/\(event)/rewards", token: token,
                        json: ["type": "POINT", "name": "P", "amount": 1]
                    ).status == 403)
            }
            #expect(try await harness.request(.get, "/events").status == 401)
            #expect(try await harness.request(.get, "/events", token: "not.a.token").status == 401)
            #expect(try await harness.request(.get, "/events", token: try await harness.serviceToken()).status == 403)
            let admin = try await harness.request(
                .post, "/events", token: try await harness.adminToken(), json: body(harness))
            #expect(admin.status == 201)
        }
    }
}
