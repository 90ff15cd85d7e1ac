import Foundation
import MongoKit
import TestSupport
import Testing

@testable import EventService

/// Storms of concurrent claims: the unique index and the atomic stock hold.
@Suite(.serialized) struct ClaimConcurrencyTests {
    @Test func sixtyFourConcurrentClaimsByOneUserGrantExactlyOnce() async throws {
        try await EventHarness.run(maxPoolSize: 16) { harness in
            let (event, rewards) = try await harness.activeEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]],
                rewards: [
                    ["type": "POINT", "name": "Points", "amount": 100],
                    ["type": "COUPON", "name": "Coupon", "couponTemplate": "ONCE", "stock": 100],
                ])
            let user = ObjectID()
            try await harness.record(
                user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for _ in 0..<64 {
                    group.addTask {
                        let response = try await harness.claim(event, as: user)
                        return (response.status, response.code)
                    }
                }
                var all: [(Int, String?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 1)
            #expect(statuses.filter { $0.0 == 409 && $0.1 == "ALREADY_CLAIMED" }.count == 63)
            #expect(try await harness.count("claims", ["status": "GRANTED"]) == 1)
            #expect(try await harness.count("claims") == 1)
            for reward in rewards {
                #expect(try await harness.count("ledger", ["rewardId": .objectID(try ObjectID(reward))]) == 1)
            }
            #expect(try await harness.remainingStock(rewards[1]) == 99)
        }
    }

    @Test func twentyUsersRaceForFiveUnits() async throws {
        try await EventHarness.run(maxPoolSize: 16) { harness in
            let (event, rewards) = try await harness.activeEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]],
                rewards: [["type": "ITEM", "name": "Limited", "itemCode": "LIMITED", "quantity": 1, "stock": 5]])
            let users = (0..<20).map { _ in ObjectID() }
            for user in users {
                try await harness.record(
                    user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
            }
            let statuses = try await withThrowingTaskGroup(of: (Int, String?).self) { group in
                for user in users {
                    group.addTask {
                        let response = try await harness.claim(event, as: user)
                        return (response.status, response.code)
                    }
                }
                var all: [(Int, String?)] = []
                for try await result in group { all.append(result) }
                return all
            }
            #expect(statuses.filter { $0.0 == 201 }.count == 5)
            #expect(statuses.filter { $0.0 == 410 && $0.1 == "OUT_OF_STOCK" }.count == 15)
            #expect(try await harness.remainingStock(rewards[0]) == 0)
            #expect(try await harness.count("claims", ["status": "GRANTED"]) == 5)
            #expect(try await harness.count("claims", ["status": "REJECTED", "reason": "OUT_OF_STOCK"]) == 15)
            #expect(try await harness.count("ledger") == 5)
            let stock = try #require(try await harness.documents("rewardStock").first)
            #expect(stock["reservedBy"]?.arrayValue?.count == 5)
            #expect((stock["remaining"]?.intValue ?? -1) >= 0)
        }
    }
}
