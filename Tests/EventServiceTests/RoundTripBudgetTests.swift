import Foundation
import HTTPTypes
import MongoKit
import TestSupport
import Testing

@testable import EventService

/// DESIGN §10, counted in the double's command log.
@Suite(.serialized, .enabled(if: MongoTestEndpoint.usesDouble)) struct RoundTripBudgetTests {
    @Test func progressIsOneReadOfTheEventAndOneAggregate() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: [
                ["type": "CONTINUOUS_LOGIN", "days": 3], ["type": "FRIEND_INVITE", "count": 2],
                ["type": "CUSTOM", "activityType": "MATCH", "aggregate": "sum", "field": "attributes.score", "gte": 5],
            ])
            let user = ObjectID()
            try await harness.logins(user, [harness.clock.now.addingTimeInterval(-60)])
            try await harness.clearCommandLog()
            let response = try await harness.request(
                .get, "/events/\(event)/progress", token: try await harness.userToken(user))
            #expect(response.status == 200)
            #expect(try await harness.commandLog() == ["find", "aggregate"])
        }
    }

    @Test func aRejectedClaimTakesAtMostThreeCommands() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: [["type": "FRIEND_INVITE", "count": 2]])
            try await harness.clearCommandLog()
            let response = try await harness.claim(event, as: ObjectID())
            #expect(response.status == 422)
            let log = try await harness.commandLog()
            #expect(log.count <= 3)
            #expect(log == ["find", "aggregate", "insert"])
        }
    }

    @Test func aGrantedClaimWithOneStockedRewardTakesAtMostSixCommands() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]],
                rewards: [["type": "POINT", "name": "Points", "amount": 5, "stock": 10]])
            let user = ObjectID()
            try await harness.record(
                user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
            try await harness.clearCommandLog()
            let response = try await harness.claim(event, as: user)
            #expect(response.status == 201)
            #expect(response["status"] as? String == "GRANTED")
            let log = try await harness.commandLog()
            #expect(log.count <= 6)
            #expect(log == ["find", "aggregate", "insert", "findAndModify", "insert", "update"])
        }
    }
}
