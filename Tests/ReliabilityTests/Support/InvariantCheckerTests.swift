import Foundation
import Logging
import MongoKit
import TestSupport
import Testing

@testable import AuthService
@testable import EventService

/// The checker finds each breach it promises to find — a checker that passes everything
/// would make every drill pass.
@Suite struct InvariantCheckerTests {
    /// Runs `body` with a checker over two fresh databases, dropped afterwards.
    func withChecker(_ body: (InvariantChecker, MongoDatabase, MongoDatabase) async throws -> Void) async throws {
        let uri = try await MongoTestEndpoint.uri()
        let pool = try await makeTestPool()
        let event = pool.database(uniqueDatabaseName("inv_event"))
        let auth = pool.database(uniqueDatabaseName("inv_auth"))
        let checker = InvariantChecker(
            mongoURI: uri, eventDatabase: event.name, authDatabase: auth.name, pendingGrace: .seconds(5))
        do {
            try await body(checker, event, auth)
        } catch {
            try? await event.drop()
            try? await auth.drop()
            await pool.close()
            throw error
        }
        try? await event.drop()
        try? await auth.drop()
        await pool.close()
    }

    static func claim(
        _ status: ClaimStatus, event: ObjectID, user: ObjectID = ObjectID(), rewards: [ObjectID],
        leaseUntil: Date? = nil
    ) -> ClaimDocument {
        let now = Date()
        return ClaimDocument(
            id: ObjectID(), eventId: event, userId: user, status: status,
            reason: status == .rejected ? .outOfStock : nil,
            grantLock: status == .rejected ? nil : true, progress: [], activityIds: [],
            payout: rewards.map {
                PayoutEntry(
                    rewardId: $0, type: .point, name: "p", amount: 1, itemCode: nil, quantity: nil, couponCode: nil,
                    stocked: true)
            },
            attempts: 1, leaseUntil: leaseUntil, createdAt: now, updatedAt: now, grantedAt: nil)
    }

    static func entries(_ claim: ClaimDocument) -> [LedgerEntryDocument] {
        claim.payout.map { LedgerEntryDocument(claim: claim, payout: $0, grantedAt: Date()) }
    }

    @Test func aConsistentStateHolds() async throws {
        try await withChecker { checker, event, _ in
            let (eventID, reward) = (ObjectID(), ObjectID())
            let granted = Self.claim(.granted, event: eventID, rewards: [reward])
            let rejected = Self.claim(.rejected, event: eventID, rewards: [])
            try await event.collection("claims", withType: ClaimDocument.self).insertMany([granted, rejected])
            try await event.collection("ledger", withType: LedgerEntryDocument.self).insertMany(Self.entries(granted))
            try await event.collection("rewardStock", withType: RewardStockDocument.self).insertOne(
                RewardStockDocument(id: reward, eventId: eventID, stock: 1, remaining: 0, reservedBy: [granted.id]))
            let report = try await checker.measure()
            #expect(report.holds, "\(report.violations)")
            #expect(report.granted == 1 && report.rejected == 1 && report.stockTaken == 1 && report.stockedGrants == 1)
        }
    }

    @Test func everyKindOfBreachIsFound() async throws {
        try await withChecker { checker, event, auth in
            let (eventID, reward, user) = (ObjectID(), ObjectID(), ObjectID())
            // Two grants of one user; the second lacks its ledger entry and its stock unit.
            let first = Self.claim(.granted, event: eventID, user: user, rewards: [reward])
            let second = Self.claim(.granted, event: eventID, user: user, rewards: [reward])
            let rejected = Self.claim(.rejected, event: eventID, rewards: [])
            let stuck = Self.claim(
                .pending, event: eventID, rewards: [reward], leaseUntil: Date().addingTimeInterval(-60))
            try await event.collection("claims", withType: ClaimDocument.self).insertMany([
                first, second, rejected, stuck,
            ])
            var orphan = Self.entries(first)[0]
            orphan.id = ObjectID()
            orphan.claimId = rejected.id
            orphan.userId = rejected.userId
            try await event.collection("ledger", withType: LedgerEntryDocument.self).insertMany(
                Self.entries(first)
                    + Self.entries(first).map {
                        var copy = $0; copy.id = ObjectID(); return copy
                    } + [orphan])
            try await event.collection("rewardStock", withType: RewardStockDocument.self).insertOne(
                RewardStockDocument(
                    id: reward, eventId: eventID, stock: 5, remaining: 2,
                    reservedBy: [first.id, rejected.id, stuck.id, first.id]))
            let recorder = ActivityDocument.Recorder(subject: "relay", role: "SERVICE")
            let activity = ActivityDocument(
                id: ObjectID(), userId: user, type: "LOGIN", occurredAt: Date(), attributes: [:], sourceId: "outbox-1",
                recordedBy: recorder, recordedAt: Date())
            var again = activity
            again.id = ObjectID()
            try await event.collection("activities", withType: ActivityDocument.self).insertMany([activity, again])
            var failed = OutboxRecord.login(userId: user, at: Date())
            failed.status = .failed
            try await auth.collection("outbox", withType: OutboxRecord.self).insertMany(
                [OutboxRecord.login(userId: user, at: Date()), failed])

            let report = try await checker.measure()
            #expect(report.duplicateGrants == 1)
            #expect(report.missingLedgerEntries == 1)
            #expect(report.duplicateLedgerEntries == 1)
            #expect(report.orphanLedgerEntries == 1)
            #expect(report.stockCounterMismatches == 1)
            #expect(report.leakedStock == 1)
            #expect(report.unreservedGrants == 1)
            #expect(report.overduePending == 1)
            #expect(report.duplicateSourceIDs == 1)
            #expect(report.undeliveredOutbox == 1 && report.failedOutbox == 1)
            #expect(!report.holds && report.violations.count >= 10)
        }
    }
}
