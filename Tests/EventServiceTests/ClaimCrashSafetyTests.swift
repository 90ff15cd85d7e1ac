import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Claims stopped mid-payout (as by a crash) are finished by the retry worker, with
/// exactly one ledger entry per reward and one unit of stock.
@Suite(.serialized) struct ClaimCrashSafetyTests {
    static var rewards: [[String: Any]] {
        [
            ["type": "POINT", "name": "Points", "amount": 50, "stock": 10],
            ["type": "COUPON", "name": "Coupon", "couponTemplate": "CRASH"],
        ]
    }

    func pendingClaim(
        _ harness: EventHarness, crashAt checkpoint: ClaimCheckpoint, times: Int = 1
    ) async throws
        -> (claim: ObjectID, rewards: [String], user: ObjectID, event: String)
    {
        let (event, rewards) = try await harness.activeEvent(
            conditions: [["type": "FRIEND_INVITE", "count": 1]], rewards: Self.rewards)
        let user = ObjectID()
        try await harness.record(
            user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
        harness.faults.crash(at: checkpoint, times: times)
        let response = try await harness.claim(event, as: user)
        #expect(response.status == 201)
        #expect(response["status"] as? String == "PENDING")
        return (try ObjectID(response.id), rewards, user, event)
    }

    func claimDocument(_ harness: EventHarness, _ id: ObjectID) async throws -> BSONDocument? {
        try await harness.documents("claims", ["_id": .objectID(id)]).first
    }

    @Test func crashAfterTheStockStepIsFinishedByTheWorker() async throws {
        try await EventHarness.run { harness in
            let (claim, rewards, _, _) = try await pendingClaim(harness, crashAt: .stockReserved)
            #expect(try await claimDocument(harness, claim)?["status"] == "PENDING")
            #expect(try await harness.remainingStock(rewards[0]) == 9)
            #expect(try await harness.count("ledger") == 0)

            // Not due yet: the lease (and backoff) has not passed.
            #expect(try await harness.components.retryWorker.runOnce() == 0)
            harness.clock.advance(120)
            #expect(try await harness.components.retryWorker.runOnce() == 1)

            let stored = try #require(try await claimDocument(harness, claim))
            #expect(stored["status"] == "GRANTED")
            #expect(stored["attempts"]?.intValue == 2)
            #expect(try await harness.count("ledger", ["claimId": .objectID(claim)]) == 2)
            #expect(try await harness.remainingStock(rewards[0]) == 9)  // exactly one unit taken
            harness.clock.advance(3600)
            #expect(try await harness.components.retryWorker.runOnce() == 0)
            #expect(try await harness.count("ledger") == 2)
        }
    }

    @Test func crashAfterTheFirstLedgerWriteIsFinishedWithOneEntryPerReward() async throws {
        try await EventHarness.run { harness in
            let (claim, rewards, user, _) = try await pendingClaim(harness, crashAt: .ledgerEntryWritten(index: 0))
            #expect(try await harness.count("ledger", ["claimId": .objectID(claim)]) == 1)
            let planned = try #require(try await claimDocument(harness, claim)?["payout"]?.arrayValue)
            let coupon = planned.last?.documentValue?["couponCode"]?.stringValue

            harness.clock.advance(120)
            #expect(try await harness.components.retryWorker.runOnce() == 1)
            #expect(try await claimDocument(harness, claim)?["status"] == "GRANTED")
            let ledger = try await harness.documents("ledger", ["claimId": .objectID(claim)])
            #expect(ledger.count == 2)
            #expect(Set(ledger.compactMap { $0["rewardId"]?.objectIDValue?.hex }) == Set(rewards))
            // The coupon minted when the claim was created is the one granted.
            #expect(ledger.compactMap { $0["couponCode"]?.stringValue } == [coupon].compactMap { $0 })
            #expect(try await harness.remainingStock(rewards[0]) == 9)
            let wallet = try await harness.request(.get, "/wallet/me", token: try await harness.userToken(user))
            #expect(wallet["points"] as? Int == 50)
            #expect((wallet["coupons"] as? [[String: Any]])?.count == 1)
        }
    }

    @Test func twoReplicasRetryingAtOnceGrantOnce() async throws {
        try await EventHarness.run { harness in
            let (claim, rewards, _, _) = try await pendingClaim(harness, crashAt: .stockReserved)
            harness.clock.advance(120)
            let worker = harness.components.retryWorker
            async let first = worker.runOnce()
            async let second = worker.runOnce()
            let taken = try await first + second
            #expect(taken == 1)  // the lease let only one of them take it
            #expect(try await claimDocument(harness, claim)?["status"] == "GRANTED")
            #expect(try await harness.count("ledger") == 2)
            #expect(try await harness.remainingStock(rewards[0]) == 9)
        }
    }

    @Test func aClaimThatKeepsFailingBecomesFailedAndKeepsItsLock() async throws {
        let workers = EventWorkersConfiguration(claimRetryBackoff: .seconds(1), claimMaxAttempts: 3)
        try await EventHarness.run(workers: workers) { harness in
            let (claim, rewards, user, event) = try await pendingClaim(harness, crashAt: .stockReserved, times: 100)
            for _ in 0..<3 {
                harness.clock.advance(600)
                #expect(try await harness.components.retryWorker.runOnce() == 1)
            }
            let stored = try #require(try await claimDocument(harness, claim))
            #expect(stored["status"] == "FAILED")
            #expect(stored["grantLock"] == true)
            #expect(try await harness.count("ledger") == 0)
            #expect(try await harness.remainingStock(rewards[0]) == 9)  // held for investigation
            harness.clock.advance(600)
            #expect(try await harness.components.retryWorker.runOnce() == 0)
            // A FAILED claim may have paid out in part: the user cannot claim again.
            let again = try await harness.claim(event, as: user)
            #expect(again.status == 409)
            #expect(again.code == "ALREADY_CLAIMED")
            #expect(again.details["claimId"] as? String == claim.hex)
        }
    }
}
