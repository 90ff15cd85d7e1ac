/// The event service's background work: the retry worker for PENDING claims and the
/// worker that completes ACTIVE events past their `endAt` (DESIGN §6.6–§6.7).
public struct EventWorkersConfiguration: Sendable, Equatable {
    /// How often the claim retry worker looks for PENDING claims whose lease has expired.
    public var claimRetryInterval: Duration
    /// The wait before the second attempt of a claim; it doubles with every further
    /// attempt, up to 64 times this value.
    public var claimRetryBackoff: Duration
    /// Attempts (the request's own included) after which a PENDING claim becomes FAILED.
    public var claimMaxAttempts: Int
    /// How often the auto-complete worker completes ACTIVE events past their `endAt`.
    public var autoCompleteInterval: Duration
    /// How long a worker (or the request that created a claim) owns an item before
    /// another replica may take it over.
    public var leaseDuration: Duration

    /// Creates the workers' configuration.
    /// - Parameters:
    ///   - claimRetryInterval: Poll interval of the claim retry worker (1 s by default).
    ///   - claimRetryBackoff: First retry delay, doubled per attempt (2 s by default).
    ///   - claimMaxAttempts: Attempts before FAILED (10 by default).
    ///   - autoCompleteInterval: Poll interval of the auto-complete worker (30 s by default).
    ///   - leaseDuration: Lease of one worked item (30 s by default).
    public init(
        claimRetryInterval: Duration = .seconds(1),
        claimRetryBackoff: Duration = .seconds(2),
        claimMaxAttempts: Int = 10,
        autoCompleteInterval: Duration = .seconds(30),
        leaseDuration: Duration = .seconds(30)
    ) {
        self.claimRetryInterval = claimRetryInterval
        self.claimRetryBackoff = claimRetryBackoff
        self.claimMaxAttempts = claimMaxAttempts
        self.autoCompleteInterval = autoCompleteInterval
        self.leaseDuration = leaseDuration
    }
}
