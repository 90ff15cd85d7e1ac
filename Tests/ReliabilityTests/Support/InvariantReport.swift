/// What `InvariantChecker` found in the event and auth databases: counts of what is there
/// and of every kind of breach, so a drill can assert on them and print one summary line.
///
/// Every `…Duplicate…`, `missing…`, `orphan…`, `leaked…`, `unreserved…`, `overdue…`,
/// `undelivered…` and `failedOutbox` count is a breach of a promise and is 0 on a healthy
/// platform; `violations` describes the first of them in words.
struct InvariantReport: Sendable, CustomStringConvertible {
    // MARK: Claims
    /// Every stored claim.
    var claims = 0
    /// Claims GRANTED.
    var granted = 0
    /// Claims still PENDING (the retry worker's work).
    var pending = 0
    /// PENDING claims whose next attempt was due longer than the grace ago (no worker took them).
    var overduePending = 0
    /// Claims FAILED after their last attempt.
    var failed = 0
    /// Claims REJECTED (conditions not met, out of stock).
    var rejected = 0
    /// (event, user) pairs with more than one GRANTED claim, or more than one grant-holding claim.
    var duplicateGrants = 0

    // MARK: Ledger
    /// Every ledger entry.
    var ledgerEntries = 0
    /// Σ over GRANTED claims of their planned rewards: what the ledger must hold for them.
    var expectedLedgerEntries = 0
    /// Entries beyond the first for one (user, claim, reward).
    var duplicateLedgerEntries = 0
    /// Rewards of GRANTED claims without their ledger entry.
    var missingLedgerEntries = 0
    /// Entries of a claim that is REJECTED or unknown, of a reward not in its claim's
    /// payout, or of another user than the claim's.
    var orphanLedgerEntries = 0
    /// Coupon codes granted more than once.
    var duplicateCoupons = 0

    // MARK: Stock
    /// Units taken from every stocked reward (`stock - remaining`).
    var stockTaken = 0
    /// GRANTED claims holding a unit of a stocked reward, counted per reward.
    var stockedGrants = 0
    /// Units held by PENDING or FAILED claims (they may still be granted, or are kept for
    /// investigation).
    var stockHeldUnsettled = 0
    /// Counters whose units taken differ from their reservations, or with a claim reserved twice.
    var stockCounterMismatches = 0
    /// Units held by a REJECTED or unknown claim (a unit that nobody received).
    var leakedStock = 0
    /// GRANTED claims of a stocked reward that hold no unit of it (a grant beyond the stock).
    var unreservedGrants = 0

    // MARK: Activities and outbox
    /// Every stored activity.
    var activities = 0
    /// Activities beyond the first for one (user, recorder, sourceId).
    var duplicateSourceIDs = 0
    /// Auth's outbox records.
    var outboxRecords = 0
    /// Outbox records still PENDING.
    var undeliveredOutbox = 0
    /// Outbox records the event service refused for good.
    var failedOutbox = 0

    /// The first breaches found, in words (at most `InvariantChecker.violationLimit`).
    var violations: [String] = []

    /// Found twice where once was promised: grants, ledger entries, coupons, reservations, activities.
    var duplicates: Int {
        duplicateGrants + duplicateLedgerEntries + duplicateCoupons + duplicateSourceIDs + unreservedGrants
            + stockCounterMismatches
    }

    /// Promised but missing: ledger entries of grants, units nobody received, undelivered
    /// or refused outbox records.
    var lost: Int {
        missingLedgerEntries + leakedStock + undeliveredOutbox + failedOutbox
    }

    /// Whether every invariant holds.
    var holds: Bool {
        duplicates == 0 && lost == 0 && orphanLedgerEntries == 0 && overduePending == 0
    }

    /// `grants=… duplicates=… lost=… pending=…` and the other counts, for a summary line.
    var summary: String {
        "claims=\(claims) grants=\(granted) rejected=\(rejected) failed=\(failed) ledger=\(ledgerEntries) "
            + "stockTaken=\(stockTaken) activities=\(activities) outbox=\(outboxRecords) "
            + "duplicates=\(duplicates) lost=\(lost) orphans=\(orphanLedgerEntries) pending=\(pending)"
    }

    var description: String { summary }

    mutating func violation(_ text: @autoclosure () -> String) {
        if violations.count < InvariantChecker.violationLimit { violations.append(text()) }
    }
}
