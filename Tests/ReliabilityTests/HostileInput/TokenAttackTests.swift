import Foundation
import JWTKit
import NIOHTTP1
import PlatformCore
import TestSupport
import Testing

/// RFC 8725's attacks on the access token, against the real processes: each forgery claims
/// ADMIN for the real admin account and is sent to the gateway and straight to auth and
/// event (which verify again); every one is a 401 `UNAUTHORIZED`. A genuine token minted
/// with the same claims passes, so the refusals are the verifier's doing. `jku`/`x5u`
/// point at a local listener that must never be contacted. Refresh tokens: token types
/// are not interchangeable, and of concurrent refreshes with one token at most one wins
/// and the reuse revokes the family (RFC 9700 §4.14.2).
@Suite(.serialized) struct TokenAttackTests {
    @Test func forgedTokensAreRefusedEverywhereAndRefreshReuseRevokesTheFamily() async throws {
        let keyServer = try LoopbackListener(.respond(try Self.jwksResponse()))
        defer { keyServer.stop() }
        try await HostileStage.with { stage in
            let admin = stage.admin.id
            let genuine = try await TokenForge.es256(
                subject: admin, key: try TestKeys.primaryKey(), kid: TestKeys.primaryKID)
            #expect(try await stage.gateway.call(.GET, "/users", token: genuine).status == 200, "the control token")

            var outcome = AttackOutcome()
            for (name, token) in try await Self.forgeries(admin: admin, genuine: genuine, keyServer: keyServer.port) {
                for (target, client, path) in Self.targets(stage) {
                    let reply = try await client.call(.GET, path, headers: [("Authorization", "Bearer \(token)")])
                    var problems = HostileStage.problems(
                        of: reply, against: AttackCase(name, .GET, path, as: .anonymous, expect: 401, "UNAUTHORIZED"))
                    if target == "gateway", reply.headers.first(name: "WWW-Authenticate") != "Bearer" {
                        problems.append("no WWW-Authenticate: Bearer")
                    }
                    outcome.record("\(name) → \(target)", status: reply.status, problems: problems)
                    #expect(problems.isEmpty, "\(name) → \(target): \(problems.joined(separator: "; "))")
                }
            }
            try await Self.tokenTypes(stage, into: &outcome)
            try await Self.concurrentRefreshes(stage, into: &outcome)

            #expect(keyServer.requests.isEmpty, "a token header made a service fetch \(keyServer.requests)")
            print(outcome.summary("token-attacks"))
            #expect(outcome.serverErrors == 0)
            #expect(outcome.passed == outcome.cases)
            try await InvariantChecker(cluster: stage.cluster).check()
        }
    }

    /// Where each forgery is sent: a route of every verifier.
    static func targets(_ stage: HostileStage) -> [(String, PlatformClient, String)] {
        [
            ("gateway", stage.gateway, "/users"), ("auth", stage.cluster.client(.auth), "/users"),
            ("event", stage.cluster.client(.event), "/claims"),
        ]
    }

    /// The forged tokens, by name; each would be an ADMIN's if it were accepted.
    static func forgeries(admin: String, genuine: String, keyServer: Int) async throws -> [(String, String)] {
        let claims = TokenForge.claims(subject: admin)
        let kid = TestKeys.primaryKID
        let attacker = try TestKeys.secondaryKey()
        let publicPEM = try TestKeys.primaryKey().publicKey.pemRepresentation
        let signature = TokenForge.rawSignature(of: genuine)
        let keyURL = "http://127.0.0.1:\(keyServer)/jwks.json"
        var forged: [(String, String)] = [
            ("alg none", TokenForge.assemble(header: ["alg": "none", "typ": "JWT", "kid": kid], claims: claims)),
            ("alg None", TokenForge.assemble(header: ["alg": "None", "typ": "JWT", "kid": kid], claims: claims)),
            (
                "alg none with the genuine signature",
                TokenForge.assemble(header: ["alg": "none", "kid": kid], claims: claims, signature: signature)
            ),
            ("no alg", TokenForge.assemble(header: ["typ": "JWT", "kid": kid], claims: claims, signature: signature)),
            (
                "HS256 keyed with the public PEM",
                try await TokenForge.hs256(subject: admin, secret: publicPEM, kid: kid)
            ),
            (
                "HS256 keyed with the public PEM and newline",
                try await TokenForge.hs256(subject: admin, secret: publicPEM + "\n", kid: kid)
            ),
            ("all-zero signature", TokenForge.resigned(genuine, with: [UInt8](repeating: 0, count: 64))),
            ("r = s = 0 in DER", TokenForge.resigned(genuine, with: [0x30, 0x06, 0x02, 0x01, 0x00, 0x02, 0x01, 0x00])),
            ("DER-encoded genuine signature", TokenForge.resigned(genuine, with: TokenForge.der(fromRaw: signature))),
            ("signature cut short", TokenForge.resigned(genuine, with: Array(signature.prefix(63)))),
            (
                "signature with a byte flipped",
                TokenForge.resigned(genuine, with: [signature[0] ^ 1] + signature.dropFirst())
            ),
            (
                "payload swapped under the genuine signature",
                TokenForge.assemble(
                    header: ["alg": "ES256", "typ": "JWT", "kid": kid],
                    claims: TokenForge.claims(subject: admin, roles: ["ADMIN", "USER"]), signature: signature)
            ),
            (
                "jku to a key server",
                try await TokenForge.es256(subject: admin, key: attacker, kid: kid, extra: ["jku": .string(keyURL)])
            ),
            (
                "x5u to a key server",
                try await TokenForge.es256(subject: admin, key: attacker, kid: kid, extra: ["x5u": .string(keyURL)])
            ),
            (
                "jku with a kid only the key server knows",
                try await TokenForge.es256(
                    subject: admin, key: attacker, kid: "attacker", extra: ["jku": .string(keyURL)])
            ),
            (
                "embedded jwk of the signer",
                try await TokenForge.es256(
                    subject: admin, key: attacker, kid: kid,
                    extra: ["jwk": .object(try TokenForge.publicJWK(attacker, kid: kid))])
            ),
            ("wrong issuer", try await TestKeys.token(subject: admin, roles: [.admin], issuer: "evil-issuer")),
            ("wrong audience", try await TestKeys.token(subject: admin, roles: [.admin], audience: "another-api")),
            ("expired", try await TestKeys.token(subject: admin, roles: [.admin], expiresIn: -120)),
            ("over 8 KiB", genuine + "." + String(repeating: "A", count: 8_192)),
            ("two dots too many", genuine + ".."),
        ]
        for kid in ["../../../../etc/passwd", "' OR '1'='1' --", #"{"$gt":""}"#, "/dev/zero", keyURL] {
            forged.append(("kid \(kid)", try await TokenForge.es256(subject: admin, key: attacker, kid: kid)))
        }
        return forged
    }

    /// A refresh token is not an access token and the reverse; a SERVICE token is not a
    /// person's.
    static func tokenTypes(_ stage: HostileStage, into outcome: inout AttackOutcome) async throws {
        let account = try await HostileStage.signIn(
            stage.cluster, stage.alice.email, "password-\(stage.alice.email)", id: stage.alice.id)
        let cases = [
            AttackCase(
                "refresh token as a bearer token", .GET, "/auth/me", as: .header("Bearer \(account.refreshToken)"),
                expect: 401, "UNAUTHORIZED"),
            AttackCase(
                "refresh token as a bearer token (auth)", .GET, "/auth/me",
                as: .header("Bearer \(account.refreshToken)"), expect: 401, "UNAUTHORIZED"),
            AttackCase(
                "access token as a refresh token", .POST, "/auth/refresh", as: .anonymous,
                body: AttackCase.json(["refreshToken": account.token]),
                expect: account.token.utf8.count <= 512 ? 401 : 400,
                account.token.utf8.count <= 512 ? "UNAUTHORIZED" : "VALIDATION_FAILED"),
            AttackCase(
                "SERVICE token on a person's route", .GET, "/auth/me", as: .service, expect: 403, "FORBIDDEN"),
            AttackCase(
                "SERVICE token as a refresh token", .POST, "/auth/refresh", as: .anonymous,
                body: AttackCase.json(["refreshToken": stage.service]),
                expect: stage.service.utf8.count <= 512 ? 401 : 400,
                stage.service.utf8.count <= 512 ? "UNAUTHORIZED" : "VALIDATION_FAILED"),
        ]
        let auth = stage.cluster.client(.auth)
        for (index, attack) in cases.enumerated() {
            let reply = try await stage.send(attack, to: index == 1 ? auth : stage.gateway)
            let problems = HostileStage.problems(of: reply, against: attack)
            outcome.record(attack.name, status: reply.status, problems: problems)
            #expect(problems.isEmpty, "\(attack.name): \(problems.joined(separator: "; "))")
        }
        // The refresh token used as a bearer token is still good for what it is.
        let rotated = try await stage.gateway.call(.POST, "/auth/refresh", json: ["refreshToken": account.refreshToken])
        #expect(rotated.status == 200)
    }

    /// Eight refreshes with one token at once through the gateway: at most one 200, the
    /// rest 401, and the reuse revokes the family — the winner's successor is dead too. A
    /// new login is a new family and works.
    static func concurrentRefreshes(_ stage: HostileStage, into outcome: inout AttackOutcome) async throws {
        let account = try await HostileStage.signIn(
            stage.cluster, stage.bob.email, "password-\(stage.bob.email)", id: stage.bob.id)
        let gateway = stage.gateway
        let replies = try await Drill.concurrently(Array(0..<8), limit: 8) { _ in
            try await gateway.call(.POST, "/auth/refresh", json: ["refreshToken": account.refreshToken])
        }
        let winners = replies.filter { $0.status == 200 }
        #expect(winners.count <= 1, "\(winners.count) refreshes won")
        for reply in replies where reply.status != 200 {
            let problems = HostileStage.problems(
                of: reply,
                against: AttackCase(
                    "concurrent refresh", .POST, "/auth/refresh", as: .anonymous, expect: 401, "UNAUTHORIZED"))
            outcome.record("concurrent refresh loser", status: reply.status, problems: problems)
            #expect(problems.isEmpty, "\(problems)")
        }
        for winner in winners {
            outcome.record("concurrent refresh winner", status: winner.status, problems: [])
            let successor = winner.object["refreshToken"] as? String ?? ""
            let reply = try await gateway.call(.POST, "/auth/refresh", json: ["refreshToken": successor])
            #expect(reply.status == 401, "the family survived the reuse")
            outcome.record(
                "successor after reuse", status: reply.status, problems: reply.status == 401 ? [] : ["alive"])
        }
        // Sequential reuse: A → B, then A again revokes B.
        let fresh = try await HostileStage.signIn(
            stage.cluster, stage.bob.email, "password-\(stage.bob.email)", id: stage.bob.id)
        let next = try await gateway.call(.POST, "/auth/refresh", json: ["refreshToken": fresh.refreshToken])
        #expect(next.status == 200)
        let reuse = try await gateway.call(.POST, "/auth/refresh", json: ["refreshToken": fresh.refreshToken])
        let successor = try await gateway.call(
            .POST, "/auth/refresh", json: ["refreshToken": next.object["refreshToken"] as? String ?? ""])
        for (name, reply) in [("reused refresh token", reuse), ("successor of a reused token", successor)] {
            let problems = HostileStage.problems(
                of: reply,
                against: AttackCase(name, .POST, "/auth/refresh", as: .anonymous, expect: 401, "UNAUTHORIZED"))
            outcome.record(name, status: reply.status, problems: problems)
            #expect(problems.isEmpty, "\(name): \(problems)")
        }
        // The access token issued before the revocation still works until it expires (it is
        // stateless); a new login starts a new family.
        #expect(try await gateway.call(.GET, "/auth/me", token: fresh.token).status == 200)
        let again = try await HostileStage.signIn(
            stage.cluster, stage.bob.email, "password-\(stage.bob.email)", id: stage.bob.id)
        #expect(
            try await gateway.call(.POST, "/auth/refresh", json: ["refreshToken": again.refreshToken]).status == 200)
    }

    /// What the key server answers: a JWK set holding the attacker's key under every kid.
    static func jwksResponse() throws -> String {
        let body = try TokenForge.jwksJSON(try TestKeys.secondaryKey(), kid: TestKeys.primaryKID)
        return "HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: \(body.utf8.count)\r\n"
            + "Connection: close\r\n\r\n\(body)"
    }
}
