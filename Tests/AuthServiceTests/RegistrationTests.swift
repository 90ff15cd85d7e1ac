import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct RegistrationTests {
    @Test func registeringReturnsTheUserWithRoleUserAndNoHash() async throws {
        try await AuthHarness.run { auth in
            let response = try await auth.register("Alice@Example.COM", nickname: "Alice")
            #expect(response.status == 201)
            #expect(response.string("email") == "alice@example.com")
            #expect(response.string("nickname") == "Alice")
            #expect(response["roles"] as? [String] == ["USER"])
            #expect(ObjectID(validating: response.string("id") ?? "") != nil)
            #expect(response.string("createdAt") != nil)
            #expect(response.body["passwordHash"] == nil)
            #expect(!response.text.contains("$2"))

            let stored = try await auth.documents("users")
            #expect(stored.count == 1)
            #expect(stored.first?["email"]?.stringValue == "alice@example.com")
            #expect(stored.first?["roles"]?.arrayValue == [.string("USER")])
            let hash = try #require(stored.first?["passwordHash"]?.stringValue)
            #expect(hash.hasPrefix("$2") && !hash.contains("correct horse"))
            #expect(stored.first?["createdAt"]?.dateValue != nil)
        }
    }

    @Test func eachInvalidFieldIsA400NamingIt() async throws {
        try await AuthHarness.run { auth in
            let valid: [String: Any] = ["email": "bob@example.com", "password": "long enough pw", "nickname": "Bob"]
            let cases: [(String, Any, String)] = [
                ("email", "not-an-email", "email"),
                ("email", "a@b", "email"),
                ("email", String(repeating: "a", count: 250) + "@example.com", "email"),
                ("email", 42, "email"),
                // A 64-byte local part that lower-cases to 96 bytes (`İ` → `i̇`).
                ("email", String(repeating: "İ", count: 32) + "@example.com", "email"),
                ("password", "short", "password"),
                ("password", String(repeating: "é", count: 40), "password"),  // 80 bytes > 72
                ("password", ["$gt": ""], "password"),
                ("nickname", "", "nickname"),
                ("nickname", String(repeating: "n", count: 33), "nickname"),
                // 17 characters but 34 Unicode scalars, which is what the contract's 32 counts.
                ("nickname", String(repeating: "e\u{301}", count: 17), "nickname"),
                ("nickname", "   ", "nickname"),
                ("nickname", "bad\u{0007}name", "nickname"),
            ]
            for (key, value, field) in cases {
                var body = valid
                body[key] = value
                let response = try await auth.request(.post, "/auth/register", json: body)
                #expect(response.status == 400, "\(key)=\(value)")
                #expect(response.code == "VALIDATION_FAILED", "\(key)=\(value)")
                #expect(response.field == field, "\(key)=\(value): \(response.text)")
            }
            // A roles field (or any unknown field) is refused.
            var withRoles = valid
            withRoles["roles"] = ["ADMIN"]
            let roles = try await auth.request(.post, "/auth/register", json: withRoles)
            #expect(roles.status == 400)
            #expect(roles.code == "VALIDATION_FAILED")
            for missing in ["email", "password", "nickname"] {
                var body = valid
                body[missing] = nil
                let response = try await auth.request(.post, "/auth/register", json: body)
                #expect(response.status == 400)
                #expect(response.code == "VALIDATION_FAILED")
            }
            let garbage = try await auth.request(.post, "/auth/register", raw: "{not json")
            #expect(garbage.status == 400)
            #expect(garbage.code == "VALIDATION_FAILED")
            #expect(try await auth.documents("users").isEmpty)
        }
    }

    /// Lengths count Unicode scalars, as the contract's JSON Schema does: a password of ten
    /// scalars in five characters is long enough, a nickname of 32 scalars fits.
    @Test func lengthsCountUnicodeScalarsAsTheContractDoes() async throws {
        try await AuthHarness.run { auth in
            let nickname = String(repeating: "e\u{301}", count: 16)
            let response = try await auth.request(
                .post, "/auth/register",
                json: [
                    "email": "accent@example.com", "password": String(repeating: "e\u{301}", count: 5),
                    "nickname": nickname,
                ])
            #expect(response.status == 201, "\(response.text)")
            #expect(response.string("nickname")?.unicodeScalars.count == 32)
        }
    }

    @Test func duplicateEmailIsAConflictWhateverItsCase() async throws {
        try await AuthHarness.run { auth in
            #expect(try await auth.register("carol@example.com").status == 201)
            let again = try await auth.register("CAROL@example.com")
            #expect(again.status == 409)
            #expect(again.code == "EMAIL_TAKEN")
        }
    }

    @Test func sixteenConcurrentRegistrationsOfOneEmailCreateOneAccount() async throws {
        try await AuthHarness.run { auth in
            let statuses = try await withThrowingTaskGroup(of: Int.self) { group in
                for index in 0..<16 {
                    group.addTask {
                        try await auth.register("dave@example.com", nickname: "Dave \(index)").status
                    }
                }
                return try await group.reduce(into: [Int]()) { $0.append($1) }
            }
            #expect(statuses.filter { $0 == 201 }.count == 1)
            #expect(statuses.filter { $0 == 409 }.count == 15)
            #expect(try await auth.documents("users", ["email": "dave@example.com"]).count == 1)
        }
    }

    @Test func oversizedBodyIsPayloadTooLarge() async throws {
        try await AuthHarness.run { auth in
            let huge = String(repeating: "x", count: 100_000)
            let response = try await auth.request(
                .post, "/auth/register", json: ["email": "e@example.com", "password": huge, "nickname": "n"])
            #expect(response.status == 413)
            #expect(response.code == "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func aBodyOfAnotherContentTypeIs415() async throws {
        try await AuthHarness.run { auth in
            let text = try await auth.request(
                .post, "/auth/register", raw: #"{"email":"t@example.com","password":"password-1"}"#,
                headers: [.contentType: "text/plain"])
            #expect(text.status == 415)
            #expect(text.code == "UNSUPPORTED_MEDIA_TYPE")
            // The token endpoint takes a form, not JSON.
            let json = try await auth.request(.post, "/auth/token", json: ["grant_type": "client_credentials"])
            #expect(json.status == 415)
            #expect(json.code == "UNSUPPORTED_MEDIA_TYPE")
            #expect(try await auth.documents("users").allSatisfy { $0["email"] != "t@example.com" })
        }
    }
}
