import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct RefreshTests {
    @Test func refreshRotatesTheTokenWithinItsFamily() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("quinn@example.com")
            let first = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh])
            #expect(first.status == 200)
            #expect(first.headers[.cacheControl] == "no-store")
            let next = try #require(first.string("refreshToken"))
            #expect(next != user.refresh)
            #expect(!first.text.contains(user.refresh))
            #expect(try JWTParts(try #require(first.string("accessToken"))).payload["sub"] as? String == user.id)

            let tokens = try await auth.documents("refreshTokens")
            #expect(tokens.count == 2)
            #expect(Set(tokens.compactMap { $0["familyId"]?.objectIDValue }).count == 1)
            let old = tokens.first { $0["tokenHash"]?.stringValue == OpaqueToken.digest(user.refresh) }
            #expect(old?["status"]?.stringValue == "ROTATED")
            // The successor works in turn.
            #expect(try await auth.request(.post, "/auth/refresh", json: ["refreshToken": next]).status == 200)
        }
    }

    @Test func reusingARotatedTokenRevokesTheWholeFamily() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("rita@example.com")
            let rotated = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh])
            let successor = try #require(rotated.string("refreshToken"))
            let rotatedAgain = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": successor])
            let latest = try #require(rotatedAgain.string("refreshToken"))

            let reuse = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh])
            #expect(reuse.status == 401)
            #expect(reuse.code == "UNAUTHORIZED")
            // Every member is dead now, the newest included.
            for token in [successor, latest] {
                let response = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": token])
                #expect(response.status == 401)
            }
            let statuses = try await auth.documents("refreshTokens").compactMap { $0["status"]?.stringValue }
            #expect(statuses == ["REVOKED", "REVOKED", "REVOKED"])
            // Another login is another family, unaffected.
            let other = try await auth.login("rita@example.com")
            let fresh = try #require(other.string("refreshToken"))
            #expect(try await auth.request(.post, "/auth/refresh", json: ["refreshToken": fresh]).status == 200)
        }
    }

    @Test func concurrentRefreshesWithOneTokenLetAtMostOneWin() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("sam@example.com")
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for _ in 0..<8 {
                    group.addTask {
                        try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh]).status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 200 }.count <= 1)
            #expect(statuses.allSatisfy { $0 == 200 || $0 == 401 })
            // The losers presented a spent token: the family is revoked.
            let active = try await auth.documents("refreshTokens", ["status": "ACTIVE"])
            #expect(active.isEmpty)
        }
    }

    @Test func unknownOrMalformedRefreshTokensAre401Or400() async throws {
        try await AuthHarness.run { auth in
            let unknown = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": "bogus-token"])
            #expect(unknown.status == 401)
            #expect(unknown.code == "UNAUTHORIZED")
            let empty = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": ""])
            #expect(empty.status == 400)
            #expect(empty.field == "refreshToken")
            let long = try await auth.request(
                .post, "/auth/refresh", json: ["refreshToken": String(repeating: "a", count: 513)])
            #expect(long.status == 400)
            let typed = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": ["$ne": ""]])
            #expect(typed.status == 400)
            #expect(typed.code == "VALIDATION_FAILED")
        }
    }

    @Test func expiredRefreshTokenIsRejected() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("tara@example.com")
            try await auth.database.collection("refreshTokens").updateMany(
                filter: [:], update: ["$set": ["expiresAt": .datetime(Date().addingTimeInterval(-1))]])
            let response = try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh])
            #expect(response.status == 401)
        }
    }

    @Test func logoutRevokesTheFamilyAndIgnoresForeignTokens() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("uma@example.com")
            let other = try await auth.signedInUser("victor@example.com")
            // Someone else's token: 204, untouched.
            let foreign = try await auth.request(
                .post, "/auth/logout", json: ["refreshToken": other.refresh], token: user.access)
            #expect(foreign.status == 204)
            #expect(try await auth.request(.post, "/auth/refresh", json: ["refreshToken": other.refresh]).status == 200)

            let logout = try await auth.request(
                .post, "/auth/logout", json: ["refreshToken": user.refresh], token: user.access)
            #expect(logout.status == 204)
            #expect(try await auth.request(.post, "/auth/refresh", json: ["refreshToken": user.refresh]).status == 401)
            // Idempotent.
            let again = try await auth.request(
                .post, "/auth/logout", json: ["refreshToken": user.refresh], token: user.access)
            #expect(again.status == 204)
            let anonymous = try await auth.request(.post, "/auth/logout", json: ["refreshToken": user.refresh])
            #expect(anonymous.status == 401)
        }
    }

    @Test func refreshTokensExpireThroughATTLIndex() async throws {
        try await AuthHarness.run { auth in
            _ = try await auth.register("walt@example.com")  // the server has started: indexes exist
            let indexes = try await auth.database.collection("refreshTokens").listIndexes()
            let ttl = indexes.first { $0["name"]?.stringValue == "expiresAt_1" }
            #expect(ttl?["expireAfterSeconds"]?.intValue == 0)
            let unique = indexes.first { $0["name"]?.stringValue == "tokenHash_1" }
            #expect(unique?["unique"]?.boolValue == true)
        }
    }
}
