import Foundation
import HTTPTypes
import Logging
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Auto-completion of expired events, and the leases that keep replicas apart.
@Suite(.serialized) struct WorkerTests {
    @Test func expiredActiveEventsAreCompletedOnceAndAudited() async throws {
        try await EventHarness.run { harness in
            let now = harness.clock.now
            let (expiring, _) = try await harness.activeEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]], end: now.addingTimeInterval(3600))
            let (lasting, _) = try await harness.activeEvent(
                conditions: [["type": "FRIEND_INVITE", "count": 1]], end: now.addingTimeInterval(86_400 * 30))
            let worker = harness.components.autoCompleteWorker
            #expect(try await worker.runOnce() == 0)
            harness.clock.advance(7200)
            #expect(try await worker.runOnce() == 1)
            #expect(try await worker.runOnce() == 0)
            let staff = try await harness.auditorToken()
            #expect(
                try await harness.request(.get, "/events/\(expiring)", token: staff)["status"] as? String == "COMPLETED"
            )
            #expect(
                try await harness.request(.get, "/events/\(lasting)", token: staff)["status"] as? String == "ACTIVE")
            let audit = try #require(
                try await harness.documents(
                    "auditLogs", ["action": "event.status", "actor.id": "system:auto-complete"]
                ).first)
            #expect(audit["target"]?.documentValue?["id"] == .string(expiring))
            #expect(audit["after"]?.documentValue?["status"] == "COMPLETED")
        }
    }

    @Test func anotherReplicaWaitsForTheLease() async throws {
        try await EventHarness.run { harness in
            let leases = MongoWorkerLeaseRepository(database: harness.database)
            let now = harness.clock.now
            #expect(try await leases.acquire("sweep", owner: "a", until: now.addingTimeInterval(30), now: now))
            let taken = try await leases.acquire("sweep", owner: "b", until: now.addingTimeInterval(30), now: now)
            #expect(!taken)
            // The holder renews its own lease.
            #expect(try await leases.acquire("sweep", owner: "a", until: now.addingTimeInterval(60), now: now))
            let later = now.addingTimeInterval(61)
            #expect(try await leases.acquire("sweep", owner: "b", until: later.addingTimeInterval(30), now: later))
            let retaken = try await leases.acquire("sweep", owner: "a", until: later.addingTimeInterval(30), now: later)
            #expect(!retaken)
        }
    }

    @Test func untilTheIndexesExistUniquenessDependentWritesAreRefused() async throws {
        try await EventHarness.run { harness in
            let fresh = IndexBootstrap(
                database: harness.pool.database(uniqueDatabaseName("idx")), logger: .init(label: "t"))
            #expect(!fresh.isReady)
            #expect(throws: APIError.self) { try fresh.requireReady() }
            #expect(await fresh.createOnce())
            #expect(fresh.isReady)
            try fresh.requireReady()
            try await harness.pool.database(uniqueDatabaseName("idx")).drop()
        }
    }

    /// A deployment made by an earlier version still holds `ledger_coupon_code` (coupon
    /// codes unique across users); starting drops it, and the coupon lookup index replaces it.
    @Test func theRetiredCouponIndexIsDroppedAtStart() async throws {
        try await EventHarness.run { harness in
            // A database of its own: the harness's own index bootstrap may still be running.
            let database = harness.pool.database(uniqueDatabaseName("idx"))
            let ledger = database.collection("ledger")
            try await ledger.createIndexes([
                IndexModel(
                    keys: ["couponCode": 1], name: "ledger_coupon_code", unique: true,
                    partialFilterExpression: ["couponCode": ["$exists": true]])
            ])
            try await EventIndexes.create(in: database)
            let names = try await ledger.listIndexes().compactMap { $0["name"]?.stringValue }
            #expect(!names.contains("ledger_coupon_code"))
            #expect(names.contains(EventIndexes.ledgerCoupon))
            try await database.drop()
        }
    }

    /// DESIGN §9: `claims`, `ledger` and `activities` can be sharded on `userId` only while
    /// each of their unique indexes starts with it.
    @Test func everyUniqueIndexOfAUserShardedCollectionStartsWithUserID() {
        let sharded: Set = [
            EventIndexes.Collection.claims, EventIndexes.Collection.ledger, EventIndexes.Collection.activities,
        ]
        var unique = 0
        for (collection, indexes) in EventIndexes.all where sharded.contains(collection) {
            for index in indexes where index.unique {
                unique += 1
                #expect(index.keys.keys.first == "userId", "\(index.name)")
            }
        }
        #expect(unique == 3)
    }

    @Test func indexesAreCreatedIdempotentlyAndReadinessReportsThem() async throws {
        try await EventHarness.run { harness in
            #expect(harness.components.indexes.isReady)
            try await EventIndexes.create(in: harness.database)  // again: no error
            let claims = try await harness.database.collection("claims").listIndexes()
            let unique = try #require(claims.first { $0["name"] == .string(EventIndexes.claimsUniqueGrant) })
            #expect(unique["key"] == ["userId": 1, "eventId": 1])
            #expect(unique["unique"] == true)
            #expect(unique["partialFilterExpression"] == ["grantLock": true])
            let activities = try await harness.database.collection("activities").listIndexes()
            #expect(activities.contains { $0["key"] == ["userId": 1, "type": 1, "occurredAt": 1] })
            let ledger = try await harness.database.collection("ledger").listIndexes()
            let coupon = try #require(ledger.first { $0["name"] == .string(EventIndexes.ledgerCoupon) })
            #expect(coupon["key"] == ["couponCode": 1])
            #expect(coupon["unique"] == nil)
            let ready = try await harness.request(.get, "/health/ready")
            #expect(ready.status == 200)
            #expect((ready["checks"] as? [String: Any])?["indexes"] as? String == "up")
        }
    }
}
