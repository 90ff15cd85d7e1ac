import MongoKit

/// What the database says after a claims run: every user holds exactly one GRANTED claim,
/// the ledger holds one entry per grant and reward, and the stock went down by the grants.
struct ExactlyOnceReport: Encodable, Sendable {
    var holds: Bool
    var grantedClaims: Int
    var usersWithMoreThanOneGrant: Int
    var pendingOrFailedClaims: Int
    var ledgerEntries: Int
    var claimsWithLedgerEntries: Int
    var stockTaken: Int
    var stockReservations: Int
    var expectedGrants: Int

    /// Reads claims, ledger and stock of the event database.
    /// - Parameters:
    ///   - expectedGrants: Users who claimed (each must hold one grant).
    ///   - stock: The stocked reward's initial stock.
    ///   - rewardsPerClaim: Rewards of the event (ledger entries per grant).
    static func check(
        database: MongoDatabase, expectedGrants: Int, stock: Int, rewardsPerClaim: Int
    ) async throws
        -> ExactlyOnceReport
    {
        let claims = database.collection("claims")
        let granted = try await claims.countDocuments(["status": "GRANTED"])
        let unfinished = try await claims.countDocuments(["status": ["$in": ["PENDING", "FAILED"]]])
        let duplicates = try await claims.aggregate([
            ["$match": ["status": "GRANTED"]],
            ["$group": ["_id": "$userId", "n": ["$sum": 1]]],
            ["$match": ["n": ["$gt": 1]]],
        ]).toArray().count
        let ledger = database.collection("ledger")
        let entries = try await ledger.countDocuments([:])
        let claimsPaid = try await ledger.aggregate([["$group": ["_id": "$claimId"]]]).toArray().count
        let counters = try await database.collection("rewardStock").find([:]).toArray()
        let remaining = counters.compactMap { $0["remaining"]?.intValue }.reduce(0, +)
        let reservations = counters.compactMap { $0["reservedBy"]?.arrayValue?.count }.reduce(0, +)
        let taken = stock - remaining
        let holds =
            granted == expectedGrants && duplicates == 0 && unfinished == 0
            && entries == granted * rewardsPerClaim && claimsPaid == granted && taken == granted
            && reservations == granted
        return ExactlyOnceReport(
            holds: holds, grantedClaims: granted, usersWithMoreThanOneGrant: duplicates,
            pendingOrFailedClaims: unfinished, ledgerEntries: entries, claimsWithLedgerEntries: claimsPaid,
            stockTaken: taken, stockReservations: reservations, expectedGrants: expectedGrants)
    }
}
