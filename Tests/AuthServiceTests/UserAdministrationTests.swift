import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct UserAdministrationTests {
    @Test func listPagesNewestFirstWithAStableCursor() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            for index in 0..<5 { try await auth.register("user\(index)@example.com") }
            let first = try await auth.request(.get, "/users?limit=2", token: admin.token)
            #expect(first.status == 200)
            let firstItems = try #require(first["items"] as? [[String: Any]])
            #expect(firstItems.compactMap { $0["email"] as? String } == ["user4@example.com", "user3@example.com"])
            #expect(firstItems.allSatisfy { $0["passwordHash"] == nil })
            let cursor = try #require(first.string("nextCursor"))

            // Inserts after the first page do not shift the next one.
            try await auth.register("late@example.com")
            let second = try await auth.request(.get, "/users?limit=2&cursor=\(cursor)", token: admin.token)
            let secondItems = try #require(second["items"] as? [[String: Any]])
            #expect(secondItems.compactMap { $0["email"] as? String } == ["user2@example.com", "user1@example.com"])
            let third = try await auth.request(
                .get, "/users?limit=2&cursor=\(try #require(second.string("nextCursor")))", token: admin.token)
            let thirdItems = try #require(third["items"] as? [[String: Any]])
            #expect(thirdItems.compactMap { $0["email"] as? String } == ["user0@example.com", "admin@example.com"])
            #expect(third.body["nextCursor"] == nil || third.body["nextCursor"] is NSNull)
        }
    }

    @Test func listFiltersByRoleAndEmail() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            try await auth.register("xena@example.com")
            try await auth.register("yuri@example.com")
            let admins = try await auth.request(.get, "/users?role=ADMIN", token: admin.token)
            #expect(
                (admins["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["admin@example.com"])
            let byEmail = try await auth.request(.get, "/users?email=XENA@example.com", token: admin.token)
            #expect(
                (byEmail["items"] as? [[String: Any]])?.compactMap { $0["email"] as? String } == ["xena@example.com"])
        }
    }

    @Test func badListParametersAre400NeverServerErrors() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let cases: [(String, String?)] = [
                ("/users?limit=0", "limit"),
                ("/users?limit=101", "limit"),
                ("/users?limit=abc", nil),
                ("/users?role=SERVICE", nil),
                ("/users?role=KING", nil),
                ("/users?email=nope", "email"),
                ("/users?cursor=garbage!!", "cursor"),
                ("/users?cursor=AAAAAAAAAAAAAAAAAAAAAAAA", "cursor"),
                ("/users?cursor=AAAAAAAAAAAAAAA", "cursor"),
                ("/users?cursor=" + String(repeating: "Z", count: 600), nil),
            ]
            for (path, field) in cases {
                let response = try await auth.request(.get, path, token: admin.token)
                #expect(response.status == 400, "\(path)")
                #expect(response.code == "VALIDATION_FAILED", "\(path)")
                if let field { #expect(response.field == field, "\(path): \(response.text)") }
            }
        }
    }

    @Test func settingRolesReplacesThemAndIsAudited() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let user = try await auth.signedInUser("zoe@example.com")
            let response = try await auth.request(
                .put, "/users/\(user.id)/roles", json: ["roles": ["USER", "OPERATOR"]], token: admin.token)
            #expect(response.status == 200)
            #expect(response["roles"] as? [String] == ["USER", "OPERATOR"])
            let stored = try await auth.documents("users", ["_id": .objectID(try ObjectID(user.id))])
            #expect(stored.first?["roles"]?.arrayValue == [.string("USER"), .string("OPERATOR")])

            // The new roles are in the next token.
            let login = try await auth.login("zoe@example.com")
            let roles = try JWTParts(try #require(login.string("accessToken"))).payload["roles"] as? [String]
            #expect(Set(roles ?? []) == ["USER", "OPERATOR"])

            let audit = try await auth.documents("outbox", ["type": "AUDIT"])
            #expect(audit.count == 1)
            let entry = try #require(audit.first?["audit"]?.documentValue)
            #expect(entry["action"]?.stringValue == "user.roles.set")
            #expect(entry["actor"]?.documentValue?["id"]?.stringValue == admin.id.hex)
            #expect(entry["actor"]?.documentValue?["roles"]?.arrayValue == [.string("ADMIN")])
            #expect(entry["target"]?.documentValue?["type"]?.stringValue == "user")
            #expect(entry["target"]?.documentValue?["id"]?.stringValue == user.id)
            #expect(entry["before"]?.documentValue?["roles"]?.arrayValue == [.string("USER")])
            #expect(entry["after"]?.documentValue?["roles"]?.arrayValue == [.string("USER"), .string("OPERATOR")])
            #expect(entry["at"]?.dateValue != nil)
            #expect(entry["requestId"]?.stringValue?.isEmpty == false)
        }
    }

    @Test func badRoleChangesAre400Or404() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let user = try await auth.signedInUser("abe@example.com")
            let cases: [(String, Any, Int, String?)] = [
                (user.id, ["roles": ["KING"]], 400, nil),
                (user.id, ["roles": ["SERVICE"]], 400, nil),
                (user.id, ["roles": []], 400, "roles"),
                (user.id, ["roles": ["USER", "USER"]], 400, "roles"),
                (user.id, ["roles": "USER"], 400, nil),
                (user.id, ["roles": ["USER"], "extra": 1], 400, nil),
                ("not-an-id", ["roles": ["USER"]], 400, "id"),
                ("65A1F0C2E4B0A1B2C3D4E5F6", ["roles": ["USER"]], 400, "id"),
                (ObjectID().hex, ["roles": ["USER"]], 404, nil),
                (ObjectID().hex, ["roles": ["ADMIN"]], 404, nil),
            ]
            for (id, body, status, field) in cases {
                let response = try await auth.request(.put, "/users/\(id)/roles", json: body, token: admin.token)
                #expect(response.status == status, "\(id) \(body): \(response.text)")
                if let field { #expect(response.field == field) }
            }
        }
    }

    @Test func theLastAdminCannotBeDemoted() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let response = try await auth.request(
                .put, "/users/\(admin.id.hex)/roles", json: ["roles": ["USER"]], token: admin.token)
            #expect(response.status == 409)
            #expect(response.code == "LAST_ADMIN")
            #expect(try await auth.documents("users").first?["roles"]?.arrayValue == [.string("ADMIN")])
            // Keeping ADMIN is fine.
            let keep = try await auth.request(
                .put, "/users/\(admin.id.hex)/roles", json: ["roles": ["ADMIN", "AUDITOR"]], token: admin.token)
            #expect(keep.status == 200)
        }
    }

    @Test func twoAdminsDemotingEachOtherAtOnceLeaveOneAdmin() async throws {
        try await AuthHarness.run { auth in
            for round in 0..<5 {
                let first = try await auth.admin("first\(round)@example.com")
                let second = try await auth.admin("second\(round)@example.com")
                let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                    group.addTask {
                        try await auth.request(
                            .put, "/users/\(second.id.hex)/roles", json: ["roles": ["USER"]], token: first.token
                        ).status
                    }
                    group.addTask {
                        try await auth.request(
                            .put, "/users/\(first.id.hex)/roles", json: ["roles": ["USER"]], token: second.token
                        ).status
                    }
                    return try await group.reduce(into: [Int]()) { $0.append($1) }
                }
                #expect(statuses.sorted() == [200, 409], "round \(round)")
                #expect(try await auth.core.users.countAdmins(excluding: nil) == 1)
                // Leave no admin from this round behind for the next.
                try await auth.database.collection("users").deleteMany(filter: [:])
            }
        }
    }

    @Test func adminBootstrapCreatesOneAdminAcrossReplicas() async throws {
        let settings = testSettings(admin: .init(email: "Root@Example.com", password: "bootstrap password"))
        try await AuthHarness.run(settings: settings) { auth in
            // The server start ran it once; more replicas starting together change nothing.
            try await withThrowingTaskGroup(of: Void.self) { group in
                for _ in 0..<4 {
                    group.addTask { try await auth.core.prepareDatabase(logger: AuthHarness.quietLogger()) }
                }
                try await group.waitForAll()
            }
            let admins = try await auth.documents("users", ["roles": "ADMIN"])
            #expect(admins.count == 1)
            #expect(admins.first?["email"]?.stringValue == "root@example.com")
            #expect(try await auth.login("root@example.com", password: "bootstrap password").status == 200)
        }
    }

    @Test func adminBootstrapNeverPromotesAnExistingAccount() async throws {
        try await AuthHarness.run { auth in
            try await auth.register("squatter@example.com", password: "their own password")
            let settings = testSettings(admin: .init(email: "squatter@example.com", password: "operator password"))
            let core = try await AuthCore.make(
                settings: settings, database: auth.database, hasher: auth.core.hasher, logger: AuthHarness.quietLogger()
            )
            try await core.prepareDatabase(logger: AuthHarness.quietLogger())
            #expect(try await auth.documents("users", ["roles": "ADMIN"]).isEmpty)
            #expect(try await auth.login("squatter@example.com", password: "operator password").status == 401)
        }
    }
}
