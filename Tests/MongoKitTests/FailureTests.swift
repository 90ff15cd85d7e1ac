import Foundation
import MongoKit
import TestSupport
import Testing

@Suite struct FailureTests {
    @Test func aServerThatIsDownIsATypedErrorWithinTheTimeout() async throws {
        let port = try unusedLoopbackPort()
        let pool = try MongoClientPool(
            configuration: MongoClientConfiguration(
                uri: "mongodb://127.0.0.1:\(port)/", serverSelectionTimeout: .milliseconds(500)))
        let started = ContinuousClock.now
        await #expect {
            try await pool.database("x").collection("y").insertOne(["a": 1])
        } throws: { error in
            guard let error = error as? MongoError else { return false }
            switch error {
            case .serverSelection, .network: return true
            default: return false
            }
        }
        // Not a timing test: a guard against hanging far past the configured timeout.
        #expect(ContinuousClock.now - started < .seconds(15))
        await #expect(throws: MongoError.self) { try await pool.ping() }
        await pool.close()
    }

    @Test(arguments: ["", "not a uri", "mongodb://", "http://127.0.0.1:27017", "mongodb://host:99999999"])
    func aBadURIIsAnInvalidArgument(uri: String) {
        #expect {
            try MongoClientPool(configuration: MongoClientConfiguration(uri: uri))
        } throws: { error in
            guard case MongoError.invalidArgument = error else { return false }
            return true
        }
    }

    @Test func aClosedPoolRefusesWork() async throws {
        let pool = try await makeTestPool()
        try await pool.ping()
        await pool.close()
        await pool.close()
        await #expect {
            try await pool.ping()
        } throws: { error in
            guard case MongoError.closed = error else { return false }
            return true
        }
    }
}
