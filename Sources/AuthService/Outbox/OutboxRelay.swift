public import Logging
import MongoKit
import PlatformCore
public import ServiceLifecycle

#if canImport(FoundationEssentials)
    import FoundationEssentials
#else
    import Foundation
#endif

/// Delivers auth's outbox to the event service: LOGIN records to `POST /activities`, AUDIT
/// records to `POST /audit-logs`, each with its outbox id as `sourceId` (so a repeated
/// delivery is recorded once there).
///
/// Safe with any number of replicas: a relay takes records one by one with an atomic lease
/// (`leaseOwner`, `leaseUntil`), so no two relays hold a record at once, and a dead relay's
/// records are free again when its lease ends. A failed delivery is retried with doubling
/// backoff — forever for a service that is down, so no login is lost; a 4xx that no retry
/// can fix marks the records FAILED and is logged at `error`. A `Service`: it runs until
/// graceful shutdown (or cancellation).
public struct OutboxRelay: Service {
    /// How the relay paces itself.
    public struct Configuration: Sendable {
        /// The event service's base URL.
        public var eventURL: String
        /// The pause between polls when the outbox has nothing due.
        public var pollInterval: Duration
        /// The most records one delivery carries.
        public var batchSize: Int
        /// How long a taken record belongs to this relay.
        public var leaseDuration: Duration
        /// The wait after a record's first failed delivery; it doubles with each further one.
        public var initialBackoff: Duration
        /// The longest wait between two deliveries of a record.
        public var maximumBackoff: Duration
        /// How long one HTTP delivery may take.
        public var requestTimeout: Duration
        /// How long delivered records are kept (for inspection) before the TTL index drops them.
        public var deliveredRetention: Duration

        /// - Parameters:
        ///   - eventURL: The event service's base URL (`EVENT_URL`).
        ///   - pollInterval: 200 ms by default, so a login reaches the event service well
        ///     within 2 seconds.
        ///   - batchSize: 100 by default.
        ///   - leaseDuration: 30 s by default.
        ///   - initialBackoff: 1 s by default.
        ///   - maximumBackoff: 60 s by default.
        ///   - requestTimeout: 10 s by default.
        ///   - deliveredRetention: 7 days by default.
        public init(
            eventURL: String, pollInterval: Duration = .milliseconds(200), batchSize: Int = 100,
            leaseDuration: Duration = .seconds(30), initialBackoff: Duration = .seconds(1),
            maximumBackoff: Duration = .seconds(60), requestTimeout: Duration = .seconds(10),
            deliveredRetention: Duration = .seconds(7 * 24 * 3600)
        ) {
            self.eventURL = eventURL
            self.pollInterval = pollInterval
            self.batchSize = max(1, min(batchSize, 1000))
            self.leaseDuration = leaseDuration
            self.initialBackoff = initialBackoff
            self.maximumBackoff = maximumBackoff
            self.requestTimeout = requestTimeout
            self.deliveredRetention = deliveredRetention
        }
    }

    private let outbox: any OutboxRepository
    private let client: EventServiceClient
    private let configuration: Configuration
    private let policy: OutboxRetryPolicy
    private let owner: String
    private let logger: Logger

    /// Creates a relay over `core`'s outbox.
    /// - Parameters:
    ///   - core: The auth core (outbox, signing key for the relay's token).
    ///   - configuration: Pacing; by default delivering to `core.settings.eventURL`.
    ///   - logger: Where deliveries and failures are reported (never a token).
    public init(core: AuthCore, configuration: Configuration? = nil, logger: Logger) {
        let configuration = configuration ?? Configuration(eventURL: core.settings.eventURL)
        outbox = core.outbox
        client = EventServiceClient(
            baseURL: configuration.eventURL, tokens: core.tokens, timeout: configuration.requestTimeout)
        self.configuration = configuration
        policy = OutboxRetryPolicy(
            initialBackoff: configuration.initialBackoff, maximumBackoff: configuration.maximumBackoff)
        owner = "relay-" + OpaqueToken.hexIdentifier().prefix(12)
        var logger = logger
        logger[metadataKey: "relay.owner"] = .string(owner)
        self.logger = logger
    }

    /// Delivers until graceful shutdown or cancellation; a delivery under way when shutdown
    /// begins finishes first.
    public func run() async throws {
        logger.info("outbox relay started", metadata: ["event.url": .string(configuration.eventURL)])
        while !Task.isCancelled && !Task.isShuttingDownGracefully {
            let mayHaveMore = await deliverOnce()
            if !mayHaveMore {
                try? await cancelWhenGracefulShutdown {
                    try await Task.sleep(for: configuration.pollInterval)
                }
            }
        }
        logger.info("outbox relay stopped")
    }

    /// Takes up to a batch of due records and delivers them.
    /// - Returns: Whether a full batch was taken (more may be due right away).
    func deliverOnce() async -> Bool {
        do {
            let now = Date()
            let until = now.addingTimeInterval(configuration.leaseDuration.seconds)
            var taken: [OutboxRecord] = []
            while taken.count < configuration.batchSize,
                let record = try await outbox.lease(owner: owner, now: now, until: until)
            {
                taken.append(record)
            }
            guard !taken.isEmpty else { return false }
            let logins = taken.filter { $0.type == .login }
            let audits = taken.filter { $0.type == .audit }
            async let deliveredLogins: Void = deliver(
                logins, to: "/activities", body: ActivityBatchPayload(records: logins))
            async let deliveredAudits: Void = deliver(
                audits, to: "/audit-logs", body: AuditLogBatchPayload(records: audits))
            _ = await (deliveredLogins, deliveredAudits)
            return taken.count == configuration.batchSize
        } catch {
            logger.warning("outbox relay cannot read the outbox", metadata: ["error.description": "\(error)"])
            return false
        }
    }

    private func deliver(_ records: [OutboxRecord], to path: String, body: some Encodable & Sendable) async {
        guard !records.isEmpty else { return }
        let requestID = RequestIdentifier.generate()
        let ids = records.map(\.id)
        var metadata: Logger.Metadata = [
            "outbox.path": .string(path), "outbox.count": "\(records.count)", "request.id": .string(requestID),
        ]
        let status: Int?
        let failure: String
        do {
            status = try await client.post(path, body: body, requestID: requestID)
            failure = "HTTP \(status ?? 0)"
        } catch {
            status = nil
            failure = String(String(describing: error).prefix(200))
        }
        do {
            let now = Date()
            switch OutboxRetryPolicy.outcome(forStatus: status) {
            case .delivered:
                try await outbox.markDelivered(
                    ids, owner: owner, now: now,
                    purgeAt: now.addingTimeInterval(configuration.deliveredRetention.seconds))
                logger.debug("outbox records delivered", metadata: metadata)
            case .reject:
                try await outbox.markFailed(ids, owner: owner, now: now, error: failure)
                metadata["error.description"] = .string(failure)
                logger.error("outbox records refused by the event service", metadata: metadata)
            case .retry:
                for record in records {
                    let wait = policy.backoff(afterAttempts: record.attempts, jitter: Double.random(in: 0...1))
                    try await outbox.reschedule(
                        record.id, owner: owner, retryAt: now.addingTimeInterval(wait.seconds), error: failure)
                }
                metadata["error.description"] = .string(failure)
                logger.warning("outbox delivery failed; will retry", metadata: metadata)
            }
        } catch {
            // The lease runs out and another attempt follows; the event service drops repeats.
            metadata["error.description"] = .string("\(error)")
            logger.warning("outbox delivery outcome not stored", metadata: metadata)
        }
    }
}

extension Duration {
    /// The duration in seconds, for `Date` arithmetic.
    var seconds: TimeInterval {
        TimeInterval(components.seconds) + TimeInterval(components.attoseconds) / 1e18
    }
}
