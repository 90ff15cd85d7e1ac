import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Reading claims: own claims, staff lists, one claim — and no probing of others' ids.
@Suite(.serialized) struct ClaimReadingTests {
    /// Two events; `alice` granted on the first and rejected on the second, `bob` granted on the first.
    func setup(_ harness: EventHarness) async throws -> (first: String, second: String, alice: ObjectID, bob: ObjectID)
    {
        let first = try await harness.activeEvent(conditions: [["type": "FRIEND_INVITE", "count": 1]]).event
        let second = try await harness.activeEvent(conditions: [["type": "FRIEND_INVITE", "count": 5]]).event
        let alice = ObjectID()
        let bob = ObjectID()
        for user in [alice, bob] {
            try await harness.record(
                user, [("FRIEND_INVITE", harness.clock.now.addingTimeInterval(-60), ["inviteeId": "x"])])
            #expect(try await harness.claim(first, as: user).status == 201)
        }
        #expect(try await harness.claim(second, as: alice).status == 422)
        return (first, second, alice, bob)
    }

    @Test func anotherUsersClaimIsNotFoundAndBadIdsAreNotServerErrors() async throws {
        try await EventHarness.run { harness in
            let (first, _, alice, bob) = try await setup(harness)
            let bobs = try #require(
                try await harness.documents("claims", ["userId": .objectID(bob)]).first?["_id"]?.objectIDValue)
            let aliceToken = try await harness.userToken(alice)
            let probe = try await harness.request(.get, "/claims/\(bobs.hex)", token: aliceToken)
            #expect(probe.status == 404)
            #expect(probe.code == "NOT_FOUND")
            let own = try await harness.request(.get, "/claims/\(bobs.hex)", token: try await harness.userToken(bob))
            #expect(own.status == 200)
            #expect(own["eventId"] as? String == first)
            #expect((own["progress"] as? [[String: Any]])?.count == 1)
            #expect((own["payout"] as? [[String: Any]])?.count == 1)
            #expect(
                try await harness.request(.get, "/claims/\(bobs.hex)", token: try await harness.auditorToken()).status
                    == 200)
            #expect(try await harness.request(.get, "/claims/\(ObjectID().hex)", token: aliceToken).status == 404)
            for bad in ["1", "not-an-object-id", "ZZZZZZZZZZZZZZZZZZZZZZZZ", "000000000000000000000000000"] {
                let response = try await harness.request(.get, "/claims/\(bad)", token: aliceToken)
                #expect(response.status == 400 || response.status == 404, "\(bad)")
            }
            #expect(try await harness.request(.get, "/claims/\(bobs.hex)").status == 401)
        }
    }

    @Test func myClaimsAreMineFilteredAndPaged() async throws {
        try await EventHarness.run { harness in
            let (first, second, alice, _) = try await setup(harness)
            let token = try await harness.userToken(alice)
            let mine = try await harness.request(.get, "/claims/me", token: token)
            #expect(mine.status == 200)
            #expect(mine.items.count == 2)
            #expect(mine.items.allSatisfy { $0["userId"] as? String == alice.hex })
            #expect(mine.items.first?["eventId"] as? String == second)  // newest first
            #expect(mine.items.first?["reason"] as? String == "CONDITION_NOT_MET")
            let granted = try await harness.request(.get, "/claims/me?status=GRANTED", token: token)
            #expect(granted.items.compactMap { $0["eventId"] as? String } == [first])
            let onSecond = try await harness.request(.get, "/claims/me?eventId=\(second)", token: token)
            #expect(onSecond.items.count == 1)
            let page = try await harness.request(.get, "/claims/me?limit=1", token: token)
            let rest = try await harness.request(
                .get, "/claims/me?limit=1&cursor=\(try #require(page["nextCursor"] as? String))", token: token)
            #expect(rest.items.compactMap { $0["eventId"] as? String } == [first])
            #expect(try await harness.request(.get, "/claims/me?eventId=bad", token: token).status == 400)
            #expect(try await harness.request(.get, "/claims/me?status=WON", token: token).status == 400)
            #expect(
                try await harness.request(.get, "/claims/me", token: try await harness.operatorToken()).status == 403)
        }
    }

    @Test func staffListAllClaimsWithFilters() async throws {
        try await EventHarness.run { harness in
            let (first, _, alice, bob) = try await setup(harness)
            let staff = try await harness.operatorToken()
            #expect(try await harness.request(.get, "/claims", token: staff).items.count == 3)
            #expect(try await harness.request(.get, "/claims?userId=\(bob.hex)", token: staff).items.count == 1)
            #expect(
                try await harness.request(.get, "/claims?eventId=\(first)&status=GRANTED", token: staff).items.count
                    == 2)
            #expect(
                try await harness.request(.get, "/claims?userId=\(alice.hex)&status=REJECTED", token: staff).items.count
                    == 1)
            let past = EventHarness.iso(harness.clock.now.addingTimeInterval(-3600))
            let future = EventHarness.iso(harness.clock.now.addingTimeInterval(3600))
            #expect(try await harness.request(.get, "/claims?from=\(past)&to=\(future)", token: staff).items.count == 3)
            #expect(try await harness.request(.get, "/claims?from=\(future)", token: staff).items.isEmpty)
            #expect(try await harness.request(.get, "/claims?to=\(past)", token: staff).items.isEmpty)
            #expect(try await harness.request(.get, "/claims?from=\(future)&to=\(past)", token: staff).status == 400)
            #expect(try await harness.request(.get, "/claims?userId=nope", token: staff).status == 400)
            #expect(try await harness.request(.get, "/claims?from=yesterday", token: staff).status == 400)
            #expect(try await harness.request(.get, "/claims", token: try await harness.auditorToken()).status == 200)
            #expect(try await harness.request(.get, "/claims", token: try await harness.userToken(alice)).status == 403)
        }
    }

    @Test func aNewUsersWalletIsEmpty() async throws {
        try await EventHarness.run { harness in
            let wallet = try await harness.request(.get, "/wallet/me", token: try await harness.userToken(ObjectID()))
            #expect(wallet.status == 200)
            #expect(wallet["points"] as? Int == 0)
            #expect((wallet["items"] as? [Any])?.isEmpty == true)
            #expect((wallet["coupons"] as? [Any])?.isEmpty == true)
            #expect(
                try await harness.request(.get, "/wallet/me", token: try await harness.operatorToken()).status == 403)
        }
    }
}
