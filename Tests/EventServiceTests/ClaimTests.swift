import Foundation
import HTTPTypes
import MongoKit
import TestSupport
import Testing

@testable import EventService

/// The claim rules of DESIGN §6, one by one, with the stored state checked.
@Suite(.serialized) struct ClaimTests {
    static var inviteOne: [[String: Any]] { [["type": "FRIEND_INVITE", "count": 1]] }

    func invited(_ harness: EventHarness, _ user: ObjectID, _ invitee: String = "friend") async throws {
        try await harness.record(
            user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": invitee])])
    }

    @Test func grantedClaimWritesOneLedgerEntryPerRewardAndAUniqueCoupon() async throws {
        try await EventHarness.run { harness in
            let (event, rewards) = try await harness.activeEvent(
                conditions: Self.inviteOne,
                rewards: [
                    ["type": "POINT", "name": "Points", "amount": 100, "stock": 3],
                    ["type": "ITEM", "name": "Sword", "itemCode": "SWORD_1", "quantity": 2],
                    ["type": "COUPON", "name": "Coupon", "couponTemplate": "SPRING"],
                ])
            let user = ObjectID()
            try await invited(harness, user)
            let claim = try await harness.claim(event, as: user)
            #expect(claim.status == 201)
            #expect(claim["status"] as? String == "GRANTED")
            #expect(claim["grantedAt"] as? String != nil)
            let payout = claim["payout"] as? [[String: Any]] ?? []
            #expect(payout.map { $0["rewardId"] as? String } == rewards)
            let coupon = payout.last?["couponCode"] as? String ?? ""
            #expect(coupon.hasPrefix("SPRING-") && coupon.count == "SPRING-".count + 16)
            #expect((claim["activityIds"] as? [String])?.count == 1)

            let claimID = try ObjectID(claim.id)
            let ledger = try await harness.documents("ledger", ["claimId": .objectID(claimID)])
            #expect(ledger.count == 3)
            #expect(Set(ledger.compactMap { $0["rewardId"]?.objectIDValue?.hex }) == Set(rewards))
            #expect(ledger.allSatisfy { $0["userId"]?.objectIDValue == user })
            #expect(try await harness.remainingStock(rewards[0]) == 2)
            let stored = try #require(try await harness.documents("claims", ["_id": .objectID(claimID)]).first)
            #expect(stored["status"] == "GRANTED")
            #expect(stored["grantLock"] == true)
            #expect(stored["progress"]?.arrayValue?.count == 1)

            let wallet = try await harness.request(.get, "/wallet/me", token: try await harness.userToken(user))
            #expect(wallet.status == 200)
            #expect(wallet["points"] as? Int == 100)
            #expect((wallet["items"] as? [[String: Any]])?.first?["itemCode"] as? String == "SWORD_1")
            #expect((wallet["items"] as? [[String: Any]])?.first?["quantity"] as? Int == 2)
            #expect((wallet["coupons"] as? [[String: Any]])?.first?["couponCode"] as? String == coupon)
        }
    }

    @Test func claimingTwiceReturnsConflictWithTheFirstClaim() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: Self.inviteOne)
            let user = ObjectID()
            try await invited(harness, user)
            let first = try await harness.claim(event, as: user)
            #expect(first.status == 201)
            let second = try await harness.claim(event, as: user)
            #expect(second.status == 409)
            #expect(second.code == "ALREADY_CLAIMED")
            #expect(second.details["claimId"] as? String == first.id)
            #expect(try await harness.count("ledger") == 1)
        }
    }

    @Test func unmetConditionsStoreARejectedClaimThatDoesNotBlockALaterOne() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: Self.inviteOne)
            let user = ObjectID()
            let rejected = try await harness.claim(event, as: user)
            #expect(rejected.status == 422)
            #expect(rejected.code == "CONDITION_NOT_MET")
            let rejectedID = try #require(rejected.details["claimId"] as? String)
            let stored = try #require(
                try await harness.documents("claims", ["_id": .objectID(try ObjectID(rejectedID))]).first)
            #expect(stored["status"] == "REJECTED")
            #expect(stored["reason"] == "CONDITION_NOT_MET")
            #expect(stored["grantLock"] == nil)
            #expect(stored["progress"]?.arrayValue?.first?.documentValue?["met"] == false)
            #expect(try await harness.count("ledger") == 0)

            try await invited(harness, user)
            let granted = try await harness.claim(event, as: user)
            #expect(granted.status == 201)
            #expect(granted["status"] as? String == "GRANTED")
        }
    }

    @Test func eventNotActiveOrOutsideItsWindowIsAConflict() async throws {
        try await EventHarness.run { harness in
            let user = ObjectID()
            try await invited(harness, user)
            let (event, _) = try await harness.activeEvent(conditions: Self.inviteOne)
            #expect(try await harness.setStatus(event, "INACTIVE").status == 200)
            let inactive = try await harness.claim(event, as: user)
            #expect(inactive.status == 409)
            #expect(inactive.code == "EVENT_NOT_ACTIVE")

            let future = try await harness.activeEvent(
                conditions: Self.inviteOne, start: harness.clock.now.addingTimeInterval(3600),
                end: harness.clock.now.addingTimeInterval(7200)
            ).event
            #expect(try await harness.claim(future, as: user).code == "EVENT_NOT_ACTIVE")

            let draft = try await harness.createEvent(conditions: Self.inviteOne)
            #expect(try await harness.claim(draft, as: user).status == 404)
            #expect(try await harness.claim(ObjectID().hex, as: user).status == 404)
            #expect(try await harness.claim("not-an-id", as: user).status == 400)
            #expect(try await harness.count("claims") == 0)
        }
    }

    @Test func outOfStockRejectsAndGivesBackUnitsOfOtherRewards() async throws {
        try await EventHarness.run { harness in
            let (event, rewards) = try await harness.activeEvent(
                conditions: Self.inviteOne,
                rewards: [
                    ["type": "POINT", "name": "Points", "amount": 10, "stock": 5],
                    ["type": "ITEM", "name": "Rare", "itemCode": "RARE", "quantity": 1, "stock": 1],
                ])
            let first = ObjectID()
            let second = ObjectID()
            try await invited(harness, first)
            try await invited(harness, second)
            #expect(try await harness.claim(event, as: first).status == 201)
            #expect(try await harness.remainingStock(rewards[0]) == 4)
            #expect(try await harness.remainingStock(rewards[1]) == 0)

            let late = try await harness.claim(event, as: second)
            #expect(late.status == 410)
            #expect(late.code == "OUT_OF_STOCK")
            #expect(late.details["rewardId"] as? String == rewards[1])
            let claimID = try ObjectID(try #require(late.details["claimId"] as? String))
            let stored = try #require(try await harness.documents("claims", ["_id": .objectID(claimID)]).first)
            #expect(stored["status"] == "REJECTED")
            #expect(stored["reason"] == "OUT_OF_STOCK")
            #expect(stored["grantLock"] == nil)
            #expect(stored["payout"]?.arrayValue?.isEmpty == true)
            // The unit of the first reward taken for this claim went back; nothing was paid.
            #expect(try await harness.remainingStock(rewards[0]) == 4)
            #expect(try await harness.count("ledger", ["userId": .objectID(second)]) == 0)
            let stock = try #require(
                try await harness.documents("rewardStock", ["_id": .objectID(try ObjectID(rewards[0]))]).first)
            #expect(stock["reservedBy"]?.arrayValue?.count == 1)
        }
    }

    @Test func rewardsShowRemainingStock() async throws {
        try await EventHarness.run { harness in
            let (event, rewards) = try await harness.activeEvent(
                conditions: Self.inviteOne,
                rewards: [
                    ["type": "POINT", "name": "Points", "amount": 10, "stock": 2],
                    ["type": "POINT", "name": "Free", "amount": 1],
                ])
            let user = ObjectID()
            try await invited(harness, user)
            _ = try await harness.claim(event, as: user)
            let list = try await harness.request(
                .get, "/events/\(event)/rewards", token: try await harness.userToken(user))
            #expect(list.status == 200)
            #expect(list.items.map { $0["id"] as? String } == rewards)
            #expect(list.items[0]["remainingStock"] as? Int == 1)
            #expect(list.items[0]["stock"] as? Int == 2)
            #expect(list.items[1]["remainingStock"] == nil || list.items[1]["remainingStock"] is NSNull)
        }
    }

    @Test func onlyUsersClaim() async throws {
        try await EventHarness.run { harness in
            let (event, _) = try await harness.activeEvent(conditions: Self.inviteOne)
            #expect(try await harness.request(.post, "/events/\(event)/claims").status == 401)
            let staff = try await harness.request(
                .post, "/events/\(event)/claims", token: try await harness.operatorToken())
            #expect(staff.status == 403)
            #expect(staff.code == "FORBIDDEN")
            let service = try await harness.request(
                .post, "/events/\(event)/claims", token: try await harness.serviceToken())
            #expect(service.status == 403)
        }
    }
}
