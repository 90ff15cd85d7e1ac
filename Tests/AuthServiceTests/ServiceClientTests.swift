import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct ServiceClientTests {
    /// `POST /auth/token` with a form body and optional Basic credentials.
    private func token(_ auth: AuthHarness, form: String, basic: (String, String)? = nil) async throws -> JSONResponse {
        var headers: HTTPFields = [.contentType: "application/x-www-form-urlencoded"]
        if let basic {
            headers[.authorization] = "Basic " + Data("\(basic.0):\(basic.1)".utf8).base64EncodedString()
        }
        return try await auth.request(.post, "/auth/token", raw: form, headers: headers)
    }

    private func createClient(
        _ auth: AuthHarness, name: String, token: String
    ) async throws -> (id: String, secret: String) {
        let created = try await auth.request(.post, "/service-clients", json: ["name": name], token: token)
        guard created.status == 201, let id = created.string("clientId"), let secret = created.string("clientSecret")
        else { throw JWTPartsError() }
        return (id, secret)
    }

    @Test func creatingAClientShowsTheSecretOnceAndStoresADigest() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let created = try await auth.request(
                .post, "/service-clients", json: ["name": "game-server"], token: admin.token)
            #expect(created.status == 201)
            #expect(created.headers[.cacheControl] == "no-store")
            let clientID = try #require(created.string("clientId"))
            let secret = try #require(created.string("clientSecret"))
            #expect(created.string("name") == "game-server")
            #expect(clientID != CallerIdentity.authOutboxRelaySubject)
            #expect(secret.utf8.count >= 43)
            let stored = try await auth.documents("serviceClients")
            #expect(stored.count == 1)
            #expect(stored.first?["secretHash"]?.stringValue == OpaqueToken.digest(secret))
            #expect(!stored.description.contains(secret))
            #expect(stored.first?["createdBy"]?.stringValue == admin.id.hex)

            let audit = try await auth.documents("outbox", ["type": "AUDIT"])
            let entry = try #require(audit.first?["audit"]?.documentValue)
            #expect(entry["action"]?.stringValue == "serviceClient.create")
            #expect(entry["target"]?.documentValue?["id"]?.stringValue == clientID)
            #expect(entry["before"] == nil || entry["before"] == .null)
            #expect(entry["after"]?.documentValue?["name"]?.stringValue == "game-server")
            #expect(!audit.description.contains(secret) && !audit.description.contains(OpaqueToken.digest(secret)))

            let duplicate = try await auth.request(
                .post, "/service-clients", json: ["name": "game-server"], token: admin.token)
            #expect(duplicate.status == 409)
            #expect(duplicate.code == "CONFLICT")
            for name in ["", String(repeating: "n", count: 65)] {
                let bad = try await auth.request(.post, "/service-clients", json: ["name": name], token: admin.token)
                #expect(bad.status == 400)
                #expect(bad.field == "name")
            }
        }
    }

    @Test func clientCredentialsGiveAServiceOnlyTokenRejectedOnUserRoutes() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let client = try await createClient(auth, name: "reporter", token: admin.token)
            for response in [
                try await token(auth, form: "grant_type=client_credentials", basic: (client.id, client.secret)),
                try await token(
                    auth,
                    form: "grant_type=client_credentials&client_id=\(client.id)&client_secret=\(client.secret)&scope=x"),
            ] {
                #expect(response.status == 200, "\(response.text)")
                #expect(response.headers[.cacheControl] == "no-store")
                #expect(response.string("token_type") == "Bearer")
                #expect(response["expires_in"] as? Int == 300)
                let accessToken = try #require(response.string("access_token"))
                let claims = try JWTParts(accessToken).payload
                #expect(claims["roles"] as? [String] == ["SERVICE"])
                #expect(claims["sub"] as? String == client.id)
                let me = try await auth.request(.get, "/auth/me", token: accessToken)
                #expect(me.status == 403)
                #expect(me.code == "FORBIDDEN")
                #expect(try await auth.request(.get, "/users", token: accessToken).status == 403)
            }
        }
    }

    @Test func tokenRequestErrorsCarryTheOAuthCode() async throws {
        try await AuthHarness.run { auth in
            let admin = try await auth.admin()
            let client = try await createClient(auth, name: "reporter", token: admin.token)
            let cases: [(String, (String, String)?, Int, String)] = [
                ("grant_type=client_credentials", (client.id, "wrong-secret"), 401, "invalid_client"),
                ("grant_type=client_credentials", ("svc-unknown", client.secret), 401, "invalid_client"),
                ("grant_type=client_credentials", (CallerIdentity.authOutboxRelaySubject, "x"), 401, "invalid_client"),
                ("grant_type=client_credentials", nil, 401, "invalid_client"),
                ("grant_type=password", (client.id, client.secret), 400, "unsupported_grant_type"),
                ("client_id=\(client.id)&client_secret=\(client.secret)", nil, 400, "invalid_request"),
                ("grant_type=client_credentials&client_id=\(client.id)", nil, 400, "invalid_request"),
                (
                    "grant_type=client_credentials&client_id=\(client.id)&client_secret=\(client.secret)",
                    (client.id, client.secret), 400, "invalid_request"
                ),
                ("grant_type=client_credentials&unknown=1", (client.id, client.secret), 400, "invalid_request"),
            ]
            for (form, basic, status, oauthError) in cases {
                let response = try await token(auth, form: form, basic: basic)
                #expect(response.status == status, "\(form): \(response.text)")
                #expect(response.details["oauthError"] as? String == oauthError, "\(form): \(response.text)")
                if status == 401 {
                    #expect(response.code == "UNAUTHORIZED")
                    #expect(response.headers[.wwwAuthenticate] == "Basic")
                } else {
                    #expect(response.code == "VALIDATION_FAILED")
                }
                #expect(!response.text.contains(client.secret))
            }
            let malformedBasic = try await auth.request(
                .post, "/auth/token", raw: "grant_type=client_credentials",
                headers: [.contentType: "application/x-www-form-urlencoded", .authorization: "Basic %%%"])
            #expect(malformedBasic.status == 401)
            #expect(malformedBasic.details["oauthError"] as? String == "invalid_client")
            let json = try await auth.request(.post, "/auth/token", json: ["grant_type": "client_credentials"])
            #expect(json.status == 400 || json.status == 415)
        }
    }
}
