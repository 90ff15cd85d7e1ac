import Foundation
import MongoKit

@testable import AuthService
@testable import EventService

/// The rules themselves: pure functions over what `measure()` read.
extension InvariantChecker {
    /// One grant per event and user; PENDING claims not overdue.
    func checkClaims(_ claims: [ClaimDocument], into report: inout InvariantReport, now: Date = Date()) {
        report.claims = claims.count
        var holders: [PairKey: Int] = [:]
        var grants: [PairKey: Int] = [:]
        let overdueBefore = now.addingTimeInterval(-Self.seconds(pendingGrace))
        for claim in claims {
            let key = PairKey(first: claim.eventId, second: claim.userId)
            if claim.grantLock == true { holders[key, default: 0] += 1 }
            switch claim.status {
            case .granted:
                report.granted += 1
                grants[key, default: 0] += 1
            case .pending:
                report.pending += 1
                if claim.leaseUntil.map({ $0 < overdueBefore }) ?? true {
                    report.overduePending += 1
                    report.violation("claim \(claim.id.hex) PENDING, due \(String(describing: claim.leaseUntil))")
                }
            case .failed:
                report.failed += 1
            case .rejected:
                report.rejected += 1
            }
        }
        for key in Set(holders.keys).union(grants.keys) where (holders[key] ?? 0) > 1 || (grants[key] ?? 0) > 1 {
            report.duplicateGrants += 1
            report.violation(
                "event \(key.first.hex) user \(key.second.hex): \(grants[key] ?? 0) GRANTED, "
                    + "\(holders[key] ?? 0) grant-holding claims")
        }
    }

    /// Exactly one entry per reward of each GRANTED claim; none of REJECTED or unknown claims.
    func checkLedger(_ ledger: [LedgerEntryDocument], claims: [ClaimDocument], into report: inout InvariantReport) {
        report.ledgerEntries = ledger.count
        let byID = Dictionary(claims.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        var entries: [EntryKey: Int] = [:]
        var coupons: [String: Int] = [:]
        for entry in ledger {
            entries[EntryKey(user: entry.userId, claim: entry.claimId, reward: entry.rewardId), default: 0] += 1
            if let code = entry.couponCode { coupons[code, default: 0] += 1 }
            guard let claim = byID[entry.claimId], claim.status != .rejected, claim.userId == entry.userId,
                claim.payout.contains(where: { $0.rewardId == entry.rewardId })
            else {
                report.orphanLedgerEntries += 1
                report.violation("ledger entry \(entry.id.hex) of claim \(entry.claimId.hex) has no granting claim")
                continue
            }
        }
        for (key, count) in entries where count > 1 {
            report.duplicateLedgerEntries += count - 1
            report.violation("claim \(key.claim.hex) reward \(key.reward.hex): \(count) ledger entries")
        }
        for (code, count) in coupons where count > 1 {
            report.duplicateCoupons += count - 1
            report.violation("coupon \(code) granted \(count) times")
        }
        for claim in claims where claim.status == .granted {
            report.expectedLedgerEntries += claim.payout.count
            for payout in claim.payout
            where entries[EntryKey(user: claim.userId, claim: claim.id, reward: payout.rewardId)] == nil {
                report.missingLedgerEntries += 1
                report.violation("GRANTED claim \(claim.id.hex) lacks its ledger entry of \(payout.rewardId.hex)")
            }
        }
    }

    /// Units taken = reservations; GRANTED claims hold theirs; REJECTED ones hold none.
    func checkStock(_ counters: [RewardStockDocument], claims: [ClaimDocument], into report: inout InvariantReport) {
        let byID = Dictionary(claims.map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        for counter in counters {
            let taken = counter.stock - counter.remaining
            report.stockTaken += taken
            let reserved = Set(counter.reservedBy)
            if taken != counter.reservedBy.count || reserved.count != counter.reservedBy.count
                || counter.remaining < 0 || counter.remaining > counter.stock
            {
                report.stockCounterMismatches += 1
                report.violation(
                    "reward \(counter.id.hex): stock \(counter.stock), remaining \(counter.remaining), "
                        + "\(counter.reservedBy.count) reservations (\(reserved.count) distinct)")
            }
            for claimID in reserved {
                switch byID[claimID]?.status {
                case .granted:
                    report.stockedGrants += 1
                case .pending, .failed:
                    report.stockHeldUnsettled += 1
                case .rejected, nil:
                    report.leakedStock += 1
                    report.violation("reward \(counter.id.hex): a unit is held by claim \(claimID.hex), not granted")
                }
            }
            for claim in claims
            where claim.status == .granted && !reserved.contains(claim.id)
                && claim.payout.contains(where: { $0.rewardId == counter.id && $0.stocked })
            {
                report.unreservedGrants += 1
                report.violation("GRANTED claim \(claim.id.hex) holds no unit of stocked reward \(counter.id.hex)")
            }
        }
    }

    /// A producer's `sourceId` once per user and recorder.
    func checkActivities(_ activities: [ActivityDocument], into report: inout InvariantReport) {
        report.activities = activities.count
        var sources: [SourceKey: Int] = [:]
        for activity in activities {
            guard let sourceID = activity.sourceId else { continue }
            sources[
                SourceKey(user: activity.userId, subject: activity.recordedBy.subject, source: sourceID), default: 0] +=
                1
        }
        for (key, count) in sources where count > 1 {
            report.duplicateSourceIDs += count - 1
            report.violation("activity source \(key.source) of user \(key.user.hex) recorded \(count) times")
        }
    }

    /// Every outbox record DELIVERED.
    func checkOutbox(_ records: [OutboxRecord], into report: inout InvariantReport) {
        report.outboxRecords = records.count
        for record in records {
            switch record.status {
            case .delivered:
                continue
            case .pending:
                report.undeliveredOutbox += 1
                report.violation("outbox record \(record.id.hex) (\(record.type.rawValue)) still PENDING")
            case .failed:
                report.failedOutbox += 1
                report.violation("outbox record \(record.id.hex) FAILED: \(record.lastError ?? "")")
            }
        }
    }
}

extension InvariantChecker {
    /// `duration` in seconds, as `Date` arithmetic counts time.
    static func seconds(_ duration: Duration) -> TimeInterval {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }
}

/// Two ids, e.g. (event, user).
struct PairKey: Hashable {
    var first: ObjectID
    var second: ObjectID
}

/// A ledger entry's identity.
struct EntryKey: Hashable {
    var user: ObjectID
    var claim: ObjectID
    var reward: ObjectID
}

/// An activity's idempotency key.
struct SourceKey: Hashable {
    var user: ObjectID
    var subject: String
    var source: String
}
