import Foundation
import HTTPTypes
import JWTKit
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import AuthService

@Suite struct TokenTests {
    @Test func accessTokenCarriesTheContractClaimsAndVerifiesWithThePublishedKeys() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("lena@example.com")
            let parts = try JWTParts(user.access)
            #expect(parts.header["alg"] as? String == "ES256")
            #expect(parts.header["kid"] as? String == TestKeys.primaryKID)
            #expect(parts.payload["sub"] as? String == user.id)
            #expect(parts.payload["roles"] as? [String] == ["USER"])
            #expect(parts.payload["iss"] as? String == "event-reward-auth")
            let audience = parts.payload["aud"]
            #expect((audience as? String) == "event-reward" || (audience as? [String]) == ["event-reward"])
            let issuedAt = try #require(parts.payload["iat"] as? Double)
            let expiresAt = try #require(parts.payload["exp"] as? Double)
            #expect(abs(expiresAt - issuedAt - 900) < 1)
            #expect((parts.payload["jti"] as? String)?.isEmpty == false)

            let jwks = try await auth.request(.get, "/.well-known/jwks.json")
            #expect(jwks.status == 200)
            let keys = try #require(jwks["keys"] as? [[String: Any]])
            #expect(keys.count == 1)
            #expect(keys.first?["kid"] as? String == TestKeys.primaryKID)
            #expect(keys.first?["kty"] as? String == "EC")
            #expect(keys.first?["crv"] as? String == "P-256")
            #expect(keys.first?["alg"] as? String == "ES256")
            #expect(keys.first?["use"] as? String == "sig")
            #expect((keys.first?["x"] as? String)?.count == 43)
            #expect(keys.first?["d"] == nil)  // never the private part
            let published = VerifyingKeys()
            try await published.replace(withJWKSJSON: jwks.text)
            let identity = try await TokenVerifier(keys: published).verify(user.access)
            #expect(identity.subject == user.id)
            #expect(identity.roles == [.user])
        }
    }

    @Test func previousKeysStayPublishedAndAccepted() async throws {
        let old = try TestKeys.secondaryKey().publicKey.parameters!
        let previous = AuthSettings.PublicKey(kid: TestKeys.secondaryKID, x: old.x, y: old.y)
        try await AuthHarness.run(settings: testSettings(previousPublicKeys: [previous])) { auth in
            let jwks = try await auth.request(.get, "/.well-known/jwks.json")
            let kids = (jwks["keys"] as? [[String: Any]])?.compactMap { $0["kid"] as? String }
            #expect(kids == [TestKeys.primaryKID, TestKeys.secondaryKID])
            let user = try await auth.signedInUser("mia@example.com")
            // A token the old key signed before the rotation is still good.
            let oldToken = try await TestKeys.token(subject: user.id, roles: [.user], useSecondaryKey: true)
            #expect(try await auth.request(.get, "/auth/me", token: oldToken).status == 200)
        }
    }

    @Test func meReturnsTheCaller() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("nina@example.com")
            let me = try await auth.request(.get, "/auth/me", token: user.access)
            #expect(me.status == 200)
            #expect(me.string("id") == user.id)
            #expect(me.string("email") == "nina@example.com")
            #expect(me.body["passwordHash"] == nil)
        }
    }

    @Test func tamperedForgedOrExpiredTokensAre401AtAuthItself() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("oscar@example.com")
            let payload = user.access.split(separator: ".")[1]
            let header = Data(#"{"alg":"none","typ":"JWT"}"#.utf8).base64EncodedString()
                .replacingOccurrences(of: "=", with: "")
            let unsigned = "\(header).\(payload)."
            let adminPayload = try adminClaims(from: user.access)
            let forgedRoles = user.access.split(separator: ".").enumerated()
                .map { $0.offset == 1 ? adminPayload : String($0.element) }.joined(separator: ".")
            let candidates = [
                JWTParts.tampered(user.access),
                unsigned,
                forgedRoles,
                try await TestKeys.token(subject: user.id, roles: [.user], useSecondaryKey: true),
                try await TestKeys.token(subject: user.id, roles: [.user], expiresIn: -60),
                try await TestKeys.token(subject: user.id, roles: [.user], issuer: "someone-else"),
                try await TestKeys.token(subject: user.id, roles: [.user], audience: "another-api"),
                "not.a.jwt",
            ]
            for token in candidates {
                let response = try await auth.request(.get, "/auth/me", token: token)
                #expect(response.status == 401, "\(token)")
                #expect(response.code == "UNAUTHORIZED")
            }
            // Identity headers are never trusted.
            let spoofed = try await auth.request(
                .get, "/users",
                headers: [HTTPField.Name("X-User-Id")!: user.id, HTTPField.Name("X-User-Roles")!: "ADMIN"])
            #expect(spoofed.status == 401)
            let noToken = try await auth.request(.get, "/auth/me")
            #expect(noToken.status == 401)
            #expect(noToken.code == "UNAUTHORIZED")
        }
    }

    /// The payload of `token` with roles `["ADMIN"]`, base64url-encoded.
    private func adminClaims(from token: String) throws -> String {
        var payload = try JWTParts(token).payload
        payload["roles"] = ["ADMIN"]
        return try JSONSerialization.data(withJSONObject: payload).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    @Test func rolesAreCheckedPerOperation() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("pia@example.com")
            let asUser = try await auth.request(.get, "/users", token: user.access)
            #expect(asUser.status == 403)
            #expect(asUser.code == "FORBIDDEN")
            let service = try await TestKeys.token(subject: "svc-123", roles: [.service])
            #expect(try await auth.request(.get, "/auth/me", token: service).status == 403)
            let create = try await auth.request(.post, "/service-clients", json: ["name": "x"], token: user.access)
            #expect(create.status == 403)
        }
    }
}

@Suite struct HealthTests {
    @Test func readinessIncludesMongoDBAndThePreparedDatabase() async throws {
        try await AuthHarness.run { auth in
            let ready = try await auth.request(.get, "/health/ready")
            #expect(ready.status == 200)
            #expect(ready["checks"] as? [String: String] == ["mongodb": "up", "authDatabase": "up"])
            #expect(try await auth.request(.get, "/health").status == 200)
            let indexes = try await auth.database.collection("users").listIndexes()
            #expect(indexes.contains { $0["name"]?.stringValue == "email_1" && $0["unique"]?.boolValue == true })
        }
    }

    @Test func unknownRoutesAndMethodsGetTheEnvelope() async throws {
        try await AuthHarness.run { auth in
            let user = try await auth.signedInUser("nope@example.com")
            let missing = try await auth.request(.get, "/nope", token: user.access)
            #expect(missing.status == 404)
            #expect(missing.code == "NOT_FOUND")
            #expect(missing.headers[.xRequestID] != nil)
            // Without a token only the public operations answer; anything else is a 401 first.
            let anonymous = try await auth.request(.get, "/nope")
            #expect(anonymous.status == 401)
            #expect(anonymous.code == "UNAUTHORIZED")
        }
    }
}
