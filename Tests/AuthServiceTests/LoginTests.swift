import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct LoginTests {
    @Test func loginReturnsATokenPairThatIsNotCached() async throws {
        try await AuthHarness.run { auth in
            try await auth.register("erin@example.com")
            let response = try await auth.login("ERIN@example.com")
            #expect(response.status == 200)
            #expect(response.string("tokenType") == "Bearer")
            #expect(response["expiresIn"] as? Int == 900)
            #expect(response.headers[.cacheControl] == "no-store")
            let refresh = try #require(response.string("refreshToken"))
            #expect(refresh.utf8.count >= 43)  // ≥ 256 bits of base64url
            // Only the digest is stored.
            let stored = try await auth.documents("refreshTokens")
            #expect(stored.count == 1)
            #expect(stored.first?["tokenHash"]?.stringValue == OpaqueToken.digest(refresh))
            #expect(!stored.description.contains(refresh))
            #expect(stored.first?["status"]?.stringValue == "ACTIVE")
            #expect(stored.first?["expiresAt"]?.dateValue != nil)
        }
    }

    @Test func unknownEmailAndWrongPasswordGetTheSameAnswer() async throws {
        try await AuthHarness.run { auth in
            try await auth.register("frank@example.com")
            let wrongPassword = try await auth.login("frank@example.com", password: "not the password")
            let unknownEmail = try await auth.login("nobody@example.com", password: "not the password")
            #expect(wrongPassword.status == 401)
            #expect(unknownEmail.status == 401)
            #expect(wrongPassword.code == "UNAUTHORIZED")
            // Same body except the request id.
            #expect(wrongPassword.message == unknownEmail.message)
            #expect(wrongPassword.details.isEmpty && unknownEmail.details.isEmpty)
            var left = wrongPassword.body["error"] as? [String: Any] ?? [:]
            var right = unknownEmail.body["error"] as? [String: Any] ?? [:]
            left["requestId"] = nil
            right["requestId"] = nil
            #expect(NSDictionary(dictionary: left).isEqual(to: right))
            #expect(try await auth.documents("outbox").isEmpty)
        }
    }

    @Test func nonStringCredentialsAreValidationErrors() async throws {
        try await AuthHarness.run { auth in
            try await auth.register("gina@example.com")
            let cases: [([String: Any], String)] = [
                (["email": "gina@example.com", "password": ["$gt": ""]], "password"),
                (["email": ["$gt": ""], "password": "x"], "email"),
                (["email": "gina@example.com", "password": 12_345_678_901], "password"),
                (["email": "gina@example.com", "password": ""], "password"),
                (["email": "gina@example.com", "password": String(repeating: "p", count: 73)], "password"),
                (["email": "no-at-sign", "password": "whatever123"], "email"),
            ]
            for (body, field) in cases {
                let response = try await auth.request(.post, "/auth/login", json: body)
                #expect(response.status == 400, "\(body)")
                #expect(response.code == "VALIDATION_FAILED")
                #expect(response.field == field, "\(body): \(response.text)")
            }
            let extra = try await auth.request(
                .post, "/auth/login", json: ["email": "gina@example.com", "password": "x", "admin": true])
            #expect(extra.status == 400)
            #expect(extra.code == "VALIDATION_FAILED")
        }
    }

    @Test func failuresPerEmailAreRateLimitedWithRetryAfter() async throws {
        let limits = AuthSettings.LoginRateLimit(
            attemptsPerEmail: 3, emailWindowSeconds: 600, attemptsPerIP: 1000, ipWindowSeconds: 600)
        try await AuthHarness.run(settings: testSettings(rateLimit: limits)) { auth in
            try await auth.register("hank@example.com")
            for _ in 0..<3 {
                #expect(
                    try await auth.login("hank@example.com", password: "wrong password", ip: "10.0.0.1").status == 401)
            }
            // Over the limit: even the right password waits, from any address.
            let limited = try await auth.login("hank@example.com", ip: "10.0.0.2")
            #expect(limited.status == 429)
            #expect(limited.code == "RATE_LIMITED")
            let retryAfter = try #require(limited.headers[.retryAfter].flatMap(Int.init))
            #expect((1...600).contains(retryAfter))
            // Another email is not affected; counters live in MongoDB with an expiry.
            try await auth.register("ivy@example.com")
            #expect(try await auth.login("ivy@example.com", ip: "10.0.0.1").status == 200)
            let counters = try await auth.documents("loginAttempts", ["_id": "email:hank@example.com"])
            #expect(counters.first?["count"]?.intValue ?? 0 >= 4)
            #expect(counters.first?["expiresAt"]?.dateValue != nil)
        }
    }

    @Test func failuresPerClientAddressAreRateLimited() async throws {
        let limits = AuthSettings.LoginRateLimit(
            attemptsPerEmail: 100, emailWindowSeconds: 600, attemptsPerIP: 4, ipWindowSeconds: 600)
        try await AuthHarness.run(settings: testSettings(rateLimit: limits)) { auth in
            // A client cannot escape by sending its own X-Forwarded-For: the gateway's entry counts.
            for index in 0..<4 {
                let response = try await auth.login(
                    "user\(index)@example.com", password: "guess guess", ip: "198.51.100.\(index), 203.0.113.7")
                #expect(response.status == 401)
            }
            let limited = try await auth.login("user9@example.com", password: "guess guess", ip: "203.0.113.7")
            #expect(limited.status == 429)
            #expect(limited.headers[.retryAfter] != nil)
            // Another client address still gets an answer.
            #expect(
                try await auth.login("user9@example.com", password: "guess guess", ip: "198.51.100.1").status == 401)
        }
    }

    @Test func counterWindowsOpenAtTheFirstAttemptAndRenewAfterExpiry() async throws {
        try await AuthHarness.run { auth in
            let counters = MongoLoginAttemptRepository(database: auth.database)
            let first = Date(timeIntervalSince1970: 1_800_000_599)  // one second before a 600 s boundary
            let opened = try await counters.increment(key: "email:x@example.com", now: first, windowSeconds: 600)
            #expect(opened == LoginAttemptCounter(count: 1, windowStart: first, windowEnd: first + 600))
            // Crossing a clock boundary does not start over: the window is the first attempt's.
            let later = try await counters.increment(key: "email:x@example.com", now: first + 2, windowSeconds: 600)
            #expect(later == LoginAttemptCounter(count: 2, windowStart: first, windowEnd: first + 600))
            // Parallel attempts each take their own slot.
            let counts = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await counters.increment(key: "email:x@example.com", now: first + 3, windowSeconds: 600)
                            .count
                    }
                }
                return try await group.reduce(into: []) { $0.append($1) }
            }
            #expect(counts.sorted() == Array(3...10))
            // A success in an old window does not touch a newer one.
            let renewed = try await counters.increment(key: "email:x@example.com", now: first + 600, windowSeconds: 600)
            #expect(renewed == LoginAttemptCounter(count: 1, windowStart: first + 600, windowEnd: first + 1200))
            try await counters.decrement(key: "email:x@example.com", windowStart: first)
            try await counters.reset(key: "email:x@example.com", windowStart: first)
            let stored = try await auth.documents("loginAttempts")
            #expect(stored.count == 1)
            #expect(stored.first?["count"]?.intValue == 1)
        }
    }

    @Test func successResetsTheEmailCounter() async throws {
        let limits = AuthSettings.LoginRateLimit(
            attemptsPerEmail: 2, emailWindowSeconds: 600, attemptsPerIP: 1000, ipWindowSeconds: 600)
        try await AuthHarness.run(settings: testSettings(rateLimit: limits)) { auth in
            try await auth.register("jill@example.com")
            #expect(try await auth.login("jill@example.com", password: "wrong password").status == 401)
            #expect(try await auth.login("jill@example.com").status == 200)
            #expect(try await auth.login("jill@example.com", password: "wrong password").status == 401)
            #expect(try await auth.login("jill@example.com").status == 200)
        }
    }

    @Test func aSuccessfulLoginIsWrittenToTheOutbox() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("kim@example.com")
            let records = try await auth.documents("outbox")
            #expect(records.count == 1)
            #expect(records.first?["type"]?.stringValue == "LOGIN")
            #expect(records.first?["status"]?.stringValue == "PENDING")
            #expect(records.first?["userId"]?.objectIDValue?.hex == user.id)
            #expect(records.first?["occurredAt"]?.dateValue != nil)
        }
    }
}
