/// A point in the payout of a claim where a test may stop it, as a crash would.
public enum ClaimCheckpoint: Sendable, Hashable {
    /// Every stocked reward of the claim has its unit reserved.
    case stockReserved
    /// The ledger entry of the payout at `index` (0-based) is written.
    case ledgerEntryWritten(index: Int)
}

/// A test-only hook: the claim processor calls it at each checkpoint, and an error thrown
/// there stops the claim at that point (it stays PENDING for the retry worker).
///
/// Production uses `NoClaimFaults`, which does nothing.
public protocol ClaimFaultInjector: Sendable {
    /// Called when a claim reaches `checkpoint`; throw to stop it there.
    func reached(_ checkpoint: ClaimCheckpoint) async throws
}

/// The production injector: never stops anything.
public struct NoClaimFaults: ClaimFaultInjector {
    public init() {}

    public func reached(_ checkpoint: ClaimCheckpoint) async throws {}
}
