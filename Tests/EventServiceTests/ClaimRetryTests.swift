import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// `POST /claims/{id}/retry`: a FAILED claim back to work, without granting anything twice.
@Suite(.serialized) struct ClaimRetryTests {
    static let workers = EventWorkersConfiguration(claimRetryBackoff: .seconds(1), claimMaxAttempts: 2)

    /// A claim that wrote its first ledger entry, then kept failing until the worker gave up.
    func failedClaim(_ harness: EventHarness) async throws -> (claim: ObjectID, rewards: [String], user: ObjectID) {
        let (event, rewards) = try await harness.activeEvent(
            conditions: [["type": "FRIEND_INVITE", "count": 1]], rewards: ClaimCrashSafetyTests.rewards)
        let user = ObjectID()
        try await harness.record(
            user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
        harness.faults.crash(at: .ledgerEntryWritten(index: 0), times: 100)
        let response = try await harness.claim(event, as: user)
        #expect(response["status"] as? String == "PENDING")
        let claim = try ObjectID(response.id)
        for _ in 0..<2 {
            harness.clock.advance(600)
            try await harness.components.retryWorker.runOnce()
        }
        #expect(try await harness.documents("claims", ["_id": .objectID(claim)]).first?["status"] == "FAILED")
        #expect(try await harness.count("ledger", ["claimId": .objectID(claim)]) == 1)
        return (claim, rewards, user)
    }

    @Test func aRetriedFailedClaimIsGrantedWithOneLedgerEntryPerRewardAndAudited() async throws {
        try await EventHarness.run(workers: Self.workers) { harness in
            let (claim, rewards, user) = try await failedClaim(harness)
            harness.faults.crash(at: .ledgerEntryWritten(index: 0), times: 0)  // the cause is fixed

            let operatorToken = try await harness.operatorToken()
            let retried = try await harness.request(.post, "/claims/\(claim.hex)/retry", token: operatorToken)
            #expect(retried.status == 200)
            #expect(retried["status"] as? String == "GRANTED")
            // The entry written before the failure is not written again.
            let ledger = try await harness.documents("ledger", ["claimId": .objectID(claim)])
            #expect(ledger.count == 2)
            #expect(Set(ledger.compactMap { $0["rewardId"]?.objectIDValue?.hex }) == Set(rewards))
            #expect(try await harness.remainingStock(rewards[0]) == 9)
            let wallet = try await harness.request(.get, "/wallet/me", token: try await harness.userToken(user))
            #expect(wallet["points"] as? Int == 50)

            let audit = try await harness.documents("auditLogs", ["action": "claim.retry"])
            #expect(audit.count == 1)
            #expect(audit.first?["target"]?.documentValue?["id"]?.stringValue == claim.hex)
            #expect(audit.first?["before"]?.documentValue?["status"] == "FAILED")
            #expect(audit.first?["after"]?.documentValue?["status"] == "GRANTED")

            // Only a FAILED claim can be retried.
            let again = try await harness.request(.post, "/claims/\(claim.hex)/retry", token: operatorToken)
            #expect(again.status == 409)
            #expect(again.code == "CONFLICT")
            #expect(again.details["status"] as? String == "GRANTED")
            #expect(try await harness.count("ledger", ["claimId": .objectID(claim)]) == 2)
        }
    }

    @Test func aRetryInterruptedAgainIsLeftPendingForTheWorker() async throws {
        try await EventHarness.run(workers: Self.workers) { harness in
            let (claim, _, _) = try await failedClaim(harness)
            // The cause is not fixed yet: the attempt fails again, the claim stays PENDING
            // with a fresh budget, and the worker finishes it once the cause is gone.
            let retried = try await harness.request(
                .post, "/claims/\(claim.hex)/retry", token: try await harness.adminToken())
            #expect(retried.status == 200)
            #expect(retried["status"] as? String == "PENDING")
            #expect(try await harness.documents("claims", ["_id": .objectID(claim)]).first?["attempts"]?.intValue == 1)
            harness.faults.crash(at: .ledgerEntryWritten(index: 0), times: 0)
            harness.clock.advance(600)
            #expect(try await harness.components.retryWorker.runOnce() == 1)
            #expect(try await harness.documents("claims", ["_id": .objectID(claim)]).first?["status"] == "GRANTED")
            #expect(try await harness.count("ledger", ["claimId": .objectID(claim)]) == 2)
        }
    }

    @Test func onlyOperatorsAndAdminsRetryAndUnknownClaimsAreNotFound() async throws {
        try await EventHarness.run { harness in
            let someone = ObjectID()
            let path = "/claims/\(ObjectID().hex)/retry"
            let user = try await harness.request(.post, path, token: try await harness.userToken(someone))
            #expect(user.status == 403)
            let auditor = try await harness.request(.post, path, token: try await harness.auditorToken())
            #expect(auditor.status == 403)
            let anonymous = try await harness.request(.post, path)
            #expect(anonymous.status == 401)
            let unknown = try await harness.request(.post, path, token: try await harness.operatorToken())
            #expect(unknown.status == 404)
            #expect(unknown.code == "NOT_FOUND")
            let malformed = try await harness.request(
                .post, "/claims/nope/retry", token: try await harness.operatorToken())
            #expect(malformed.status == 400)
            #expect(malformed.code == "VALIDATION_FAILED")
        }
    }
}
