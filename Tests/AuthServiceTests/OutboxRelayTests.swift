import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct OutboxRelayTests {
    /// The request timeout is not tight on purpose: a delivery the event service received
    /// but answered after the timeout is sent again (at least once, by design: the event
    /// service drops repeats by `sourceId`), which on a loaded machine would show up here
    /// as a repeat that has nothing to do with two relays sharing the outbox.
    private func relayConfiguration(port: Int) -> OutboxRelay.Configuration {
        OutboxRelay.Configuration(
            eventURL: "http://127.0.0.1:\(port)", pollInterval: .milliseconds(50), batchSize: 7,
            initialBackoff: .milliseconds(100), maximumBackoff: .milliseconds(400), requestTimeout: .seconds(5))
    }

    /// Polls `condition` until it holds or `timeout` passes.
    private func eventually(
        _ timeout: Duration, _ what: String, _ condition: () async throws -> Bool
    ) async throws {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if try await condition() { return }
            try await Task.sleep(for: .milliseconds(25))
        }
        Issue.record("timed out waiting for: \(what)")
        throw TestSupportError("timed out waiting for: \(what)")
    }

    @Test func loginsStoredWhileEventIsDownAreDeliveredExactlyOnceByTwoRelays() async throws {
        let port = try unusedLoopbackPort()
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("relay@example.com")
            let stub = StubEventService()
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<2 {
                    let relay = OutboxRelay(
                        core: auth.core, configuration: relayConfiguration(port: port),
                        logger: AuthHarness.quietLogger())
                    group.addTask { try await relay.run() }
                }
                for _ in 0..<19 {
                    #expect(try await auth.login("relay@example.com").status == 200)
                }
                // Event is down: all 20 are stored, the relays fail and back off.
                try await eventually(.seconds(10), "failed delivery attempts") {
                    let records = try await auth.documents("outbox")
                    return records.count == 20 && records.contains { $0["lastError"]?.stringValue != nil }
                }
                let pending = try await auth.documents("outbox", ["status": "PENDING"])
                #expect(pending.count == 20)
                #expect(pending.allSatisfy { $0["deliveredAt"] == nil })
                #expect(stub.counts.isEmpty)

                // Event comes up on that port.
                group.addTask { try await stub.run(port: port) }
                try await eventually(.seconds(20), "20 deliveries") {
                    try await auth.documents("outbox", ["status": "DELIVERED"]).count == 20
                }

                // While it is up, a login arrives within 2 seconds.
                #expect(try await auth.login("relay@example.com").status == 200)
                try await eventually(.seconds(2), "the 21st delivery") { stub.counts.count == 21 }
                try await eventually(.seconds(2), "all marked delivered") {
                    try await auth.documents("outbox", ["status": "DELIVERED"]).count == 21
                }
                group.cancelAll()
            }
            let counts = stub.counts
            let outboxIDs = Set(try await auth.documents("outbox").compactMap { $0["_id"]?.objectIDValue?.hex })
            #expect(Set(counts.keys) == outboxIDs)
            #expect(counts.values.allSatisfy { $0 == 1 }, "\(counts)")
            let activities = stub.activities
            #expect(activities.count == 21)
            #expect(activities.allSatisfy { $0.contains(#""type":"LOGIN""#) && $0.contains(user.id) })
            let callers = stub.callers
            #expect(!callers.isEmpty)
            #expect(
                callers.allSatisfy { $0.subject == CallerIdentity.authOutboxRelaySubject && $0.roles == [.service] })
        }
    }

    @Test func staffActionsReachTheAuditLogWithBeforeAndAfter() async throws {
        try await AuthHarness.run { auth in
            let stub = StubEventService()
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await stub.run(port: 0) }
                let port = try await stub.waitUntilListening()
                let relay = OutboxRelay(
                    core: auth.core, configuration: relayConfiguration(port: port), logger: AuthHarness.quietLogger())
                group.addTask { try await relay.run() }

                let admin = try await auth.admin()
                let user = try await auth.signedInUser("staffed@example.com")
                let created = try await auth.request(
                    .post, "/service-clients", json: ["name": "audited"], token: admin.token)
                #expect(created.status == 201)
                let secret = try #require(created.string("clientSecret"))
                let roles = try await auth.request(
                    .put, "/users/\(user.id)/roles", json: ["roles": ["AUDITOR"]], token: admin.token,
                    headers: [.xRequestID: "audit-test-1"])
                #expect(roles.status == 200)
                try await eventually(.seconds(5), "two audit entries") { stub.auditEntries.count == 2 }
                group.cancelAll()

                let entries = stub.auditEntries.compactMap {
                    try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any]
                }
                let roleChange = try #require(entries.first { $0["action"] as? String == "user.roles.set" })
                #expect((roleChange["actor"] as? [String: Any])?["id"] as? String == admin.id.hex)
                #expect((roleChange["target"] as? [String: Any])?["id"] as? String == user.id)
                #expect((roleChange["before"] as? [String: Any])?["roles"] as? [String] == ["USER"])
                #expect((roleChange["after"] as? [String: Any])?["roles"] as? [String] == ["AUDITOR"])
                #expect(roleChange["requestId"] as? String == "audit-test-1")
                #expect(roleChange["at"] as? String != nil)
                #expect((roleChange["sourceId"] as? String)?.count == 24)
                let creation = try #require(entries.first { $0["action"] as? String == "serviceClient.create" })
                #expect((creation["after"] as? [String: Any])?["name"] as? String == "audited")
                #expect(!stub.auditEntries.joined().contains(secret))
            }
        }
    }

    @Test func aRecordRefusedForGoodIsMarkedFailed() async throws {
        try await AuthHarness.run { auth in
            let stub = StubEventService(refusal: .badRequest)
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await stub.run(port: 0) }
                let port = try await stub.waitUntilListening()
                try await auth.core.outbox.insert(.login(userId: ObjectID(), at: Date()))
                let relay = OutboxRelay(
                    core: auth.core, configuration: relayConfiguration(port: port), logger: AuthHarness.quietLogger())
                _ = await relay.deliverOnce()
                group.cancelAll()
            }
            let record = try await auth.documents("outbox").first
            #expect(record?["status"]?.stringValue == "FAILED")
            #expect(record?["lastError"]?.stringValue == "HTTP 400")
        }
    }

    @Test func anUnreachableEventServiceIsARetryNotAFailure() async throws {
        try await AuthHarness.run { auth in
            let record = OutboxRecord.login(userId: ObjectID(), at: Date())
            try await auth.core.outbox.insert(record)
            var configuration = relayConfiguration(port: try unusedLoopbackPort())
            configuration.initialBackoff = .seconds(60)
            configuration.maximumBackoff = .seconds(60)
            configuration.requestTimeout = .seconds(30)
            let relay = OutboxRelay(core: auth.core, configuration: configuration, logger: AuthHarness.quietLogger())
            // Nothing listens there: a retry (in about a minute), not a failure — decided at
            // once, not after the 30 s request timeout (the relay does not retry the connect).
            let started = Date()
            _ = await relay.deliverOnce()
            #expect(Date().timeIntervalSince(started) < 10)
            let retried = try await auth.documents("outbox")
            #expect(retried.first?["status"]?.stringValue == "PENDING")
            #expect(retried.first?["attempts"]?.intValue == 1)
            #expect((retried.first?["leaseUntil"]?.dateValue ?? .distantPast) > started.addingTimeInterval(40))
            #expect(retried.first?["leaseOwner"] == nil)
        }
    }

    @Test func aLeaseKeepsOtherRelaysAwayUntilItEnds() async throws {
        try await AuthHarness.run { auth in
            let now = Date()
            try await auth.core.outbox.insert(OutboxRecord.login(userId: ObjectID(), at: now))
            let first = try await auth.core.outbox.lease(owner: "a", now: now, until: now.addingTimeInterval(30))
            #expect(first != nil)
            #expect(try await auth.core.outbox.lease(owner: "b", now: now, until: now.addingTimeInterval(30)) == nil)
            // Relay a died: after its lease, b takes over.
            let later = now.addingTimeInterval(31)
            let second = try await auth.core.outbox.lease(owner: "b", now: later, until: later.addingTimeInterval(30))
            #expect(second?.id == first?.id)
            #expect(second?.attempts == 2)
            // a's late result is ignored: only the holder can settle a record.
            try await auth.core.outbox.markDelivered([first!.id], owner: "a", now: later, purgeAt: later)
            #expect(try await auth.documents("outbox").first?["status"]?.stringValue == "PENDING")
            try await auth.core.outbox.markDelivered([first!.id], owner: "b", now: later, purgeAt: later)
            #expect(try await auth.documents("outbox").first?["status"]?.stringValue == "DELIVERED")
        }
    }
}
