import Foundation
import Logging
import MongoKit
import PlatformCore
import Synchronization
import TestSupport
import Testing

@testable import EventService

/// A staff change is stored before its audit entry; a failure to write the entry must not
/// fail the request (the client would repeat a change that was made) nor lose the entry.
@Suite struct AuditRecorderTests {
    /// An `auditLogs` that refuses the first `failures` inserts with `error`.
    final class FlakyAuditRepository: AuditRepository {
        let failures: Int
        let error: MongoError
        let attempts = Mutex(0)
        let stored = Mutex<[AuditLogDocument]>([])
        init(failures: Int, error: MongoError = .network(message: "connection reset")) {
            self.failures = failures
            self.error = error
        }

        func insert(_ entry: AuditLogDocument) async throws {
            let attempt = attempts.withLock { count in
                count += 1
                return count
            }
            guard attempt > failures else { throw error }
            stored.withLock { $0.append(entry) }
        }
        func ingest(_ entries: [AuditLogDocument]) async throws -> [(id: ObjectID, duplicate: Bool)] { [] }
        func list(filter: BSONDocument, after: ObjectID?, limit: Int) async throws -> [AuditLogDocument] { [] }
    }

    private func recorder(_ repository: FlakyAuditRepository, _ logs: CapturingLogHandler.Store) -> AuditRecorder {
        AuditRecorder(
            repository: repository, clock: WorkerClock { Date(timeIntervalSince1970: 1_800_000_000) },
            logger: logs.logger("audit-test"), retries: InsertRetries(attempts: 3, firstPause: .milliseconds(1)))
    }

    struct EventState: Codable, Sendable { var title: String }

    /// A title with every character that JSON or a shell would need escaped.
    static let awkwardTitle = "Bob's \"login\" week\\\nline two"

    private func record(with recorder: AuditRecorder) async {
        await recorder.record(
            actor: .init(id: "operator-1", roles: ["OPERATOR"]), action: "event.create",
            target: .init(type: "event", id: "65a1f0c2e4b0a1b2c3d4e5f6"), before: EventState?.none,
            after: EventState(title: Self.awkwardTitle),
            requestID: "req-1")
    }

    @Test func aPassingFailureIsRetriedAndTheEntryStored() async {
        let repository = FlakyAuditRepository(failures: 2)
        let logs = CapturingLogHandler.Store()
        await record(with: recorder(repository, logs))
        #expect(repository.attempts.withLock { $0 } == 3)
        #expect(repository.stored.withLock { $0.map(\.action) } == ["event.create"])
        #expect(logs.records.isEmpty)
    }

    @Test func aTimeoutIsNotRetriedIntoAStalledDatabase() async {
        let repository = FlakyAuditRepository(failures: .max, error: .timeout(message: "socket timeout"))
        let logs = CapturingLogHandler.Store()
        await record(with: recorder(repository, logs))
        #expect(repository.attempts.withLock { $0 } == 1)
        #expect(logs.records.map(\.message) == ["audit entry not written"])
    }

    @Test func aDuplicateIdMeansAnEarlierTryWasWritten() async {
        let repository = FlakyAuditRepository(
            failures: .max, error: .duplicateKey(index: "_id_", key: nil, message: "E11000"))
        let logs = CapturingLogHandler.Store()
        await record(with: recorder(repository, logs))
        #expect(repository.attempts.withLock { $0 } == 1)
        #expect(logs.records.isEmpty)
    }

    @Test func couponCodesAreMaskedInTheLoggedEntry() {
        let claim: BSONDocument = [
            "status": "FAILED",
            "payout": [
                ["rewardId": "r1", "couponCode": "SPRING-7KQ2M9XW4PAT3HNB"], ["rewardId": "r2", "amount": 100],
            ],
        ]
        let masked = AuditRecorder.masked(["before": .document(claim), "after": .document(claim)])
        #expect(!masked.canonicalExtendedJSON.contains("SPRING-"))
        #expect(
            masked["before"]?.documentValue?["payout"]?.arrayValue?.first?.documentValue?["couponCode"] == "(masked)")
        #expect(masked["after"]?.documentValue?["status"] == "FAILED")
    }

    @Test func anEntryThatCannotBeWrittenIsLoggedWholeAtError() async throws {
        let repository = FlakyAuditRepository(failures: .max)
        let logs = CapturingLogHandler.Store()
        await record(with: recorder(repository, logs))
        #expect(repository.attempts.withLock { $0 } == 3)
        let records = logs.records
        try #require(records.count == 1)
        #expect(records[0].level == .error)
        #expect(records[0].message == "audit entry not written")
        #expect(records[0].metadata["audit.action"] == "event.create")
        #expect(records[0].metadata["request.id"] == "req-1")
        guard case .string(let json)? = records[0].metadata["audit.entry"] else {
            Issue.record("no audit.entry")
            return
        }
        let entry = try JSONSerialization.jsonObject(with: Data(json.utf8)) as? [String: Any]
        #expect(entry?["action"] as? String == "event.create")
        #expect((entry?["target"] as? [String: Any])?["id"] as? String == "65a1f0c2e4b0a1b2c3d4e5f6")
        #expect((entry?["after"] as? [String: Any])?["title"] as? String == Self.awkwardTitle)
    }
}
