import Foundation
import MongoKit
import PlatformCore
import Testing

@testable import AuthService

@Suite struct InputValidationTests {
    @Test func emailsAreCheckedAndLowerCased() throws {
        #expect(try InputValidation.email("Mixed.Case+tag@Example.COM") == "mixed.case+tag@example.com")
        for bad in [
            "", "plain", "@example.com", "a@", "a@b", "a@b..c", "a b@example.com", "a@exa mple.com",
            "a@@example.com", "\"q\"@example.com", "a@example.com\n",
            String(repeating: "x", count: 65) + "@example.com",
        ] {
            #expect(throws: APIError.self, "\(bad)") { try InputValidation.email(bad) }
        }
    }

    @Test func passwordsFitBcrypt() throws {
        try InputValidation.newPassword("ten chars!")
        try InputValidation.newPassword(String(repeating: "a", count: 72))
        #expect(throws: APIError.self) { try InputValidation.newPassword("nine char") }
        #expect(throws: APIError.self) { try InputValidation.newPassword(String(repeating: "a", count: 73)) }
        // 37 characters, 74 bytes.
        #expect(throws: APIError.self) { try InputValidation.newPassword(String(repeating: "ü", count: 37)) }
        #expect(throws: APIError.self) { try InputValidation.newPassword("with a NUL \0 inside") }
        #expect(throws: APIError.self) { try InputValidation.presentedPassword("") }
    }

    @Test func limitsDefaultAndStayInRange() throws {
        #expect(try InputValidation.limit(nil) == 20)
        #expect(try InputValidation.limit(100) == 100)
        #expect(throws: APIError.self) { try InputValidation.limit(0) }
        #expect(throws: APIError.self) { try InputValidation.limit(101) }
    }
}

@Suite struct CursorTests {
    @Test func base64URLIsUnpaddedAndCanonical() {
        #expect(Base64URL.encode([0xFB, 0xFF]) == "-_8")
        #expect(Base64URL.decode("-_8") == [0xFB, 0xFF])
        #expect(Base64URL.decode("-_9") == nil)  // stray bits
        #expect(Base64URL.decode("+/8") == nil)
        #expect(Base64URL.decode("A") == nil)
    }
}

@Suite struct TokenPrimitiveTests {
    @Test func opaqueTokensAreLongRandomAndStoredAsSHA256() {
        let token = OpaqueToken.generate()
        #expect(token.count == 43)
        #expect(token != OpaqueToken.generate())
        #expect(OpaqueToken.digest("abc") == "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        #expect(OpaqueToken.digestsMatch(OpaqueToken.digest(token), OpaqueToken.digest(token)))
        #expect(!OpaqueToken.digestsMatch(OpaqueToken.digest(token), OpaqueToken.digest("x")))
        #expect(OpaqueToken.hexIdentifier().count == 32)
    }

    @Test func thumbprintFollowsRFC7638() {
        // RFC 7517 appendix A.1's P-256 key.
        #expect(
            KeyThumbprint.of(
                x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4", y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM")
                == "cn-I_WNMClehiVp51i_0VpOENW1upEerA8sEam5hn-s")
    }

    @Test func serviceClientIDsCanNeverBeTheRelayOrAUserID() {
        for _ in 0..<100 {
            let id = ServiceClientRecord.newClientID()
            #expect(id.hasPrefix("svc-") && id.count == 28)
            #expect(id != CallerIdentity.authOutboxRelaySubject)
            #expect(ObjectID(validating: id) == nil)
        }
    }
}

@Suite struct RefreshTokenLifecycleTests {
    @Test func statusesOnlyMoveForward() {
        #expect(RefreshTokenStatus.active.canMove(to: .rotated))
        #expect(RefreshTokenStatus.active.canMove(to: .revoked))
        #expect(RefreshTokenStatus.rotated.canMove(to: .revoked))
        #expect(!RefreshTokenStatus.rotated.canMove(to: .active))
        #expect(!RefreshTokenStatus.rotated.canMove(to: .rotated))
        #expect(!RefreshTokenStatus.revoked.canMove(to: .active))
        #expect(!RefreshTokenStatus.revoked.canMove(to: .rotated))
        #expect(!RefreshTokenStatus.active.canMove(to: .active))
    }

    @Test func onlyAReusedRotatedTokenRevokesItsFamily() {
        #expect(RefreshTokenRefusal.of(status: .rotated) == .revokeFamily)
        #expect(RefreshTokenRefusal.of(status: .revoked) == .reject)
        #expect(RefreshTokenRefusal.of(status: .active) == .reject)  // expired
        #expect(RefreshTokenRefusal.of(status: nil) == .reject)
    }
}

@Suite struct OutboxRetryPolicyTests {
    @Test func answersAreClassified() {
        #expect(OutboxRetryPolicy.outcome(forStatus: 201) == .delivered)
        #expect(OutboxRetryPolicy.outcome(forStatus: 200) == .delivered)
        #expect(OutboxRetryPolicy.outcome(forStatus: nil) == .retry)
        for status in [401, 403, 408, 429, 500, 502, 503, 504] {
            #expect(OutboxRetryPolicy.outcome(forStatus: status) == .retry, "\(status)")
        }
        for status in [400, 404, 409, 413, 415, 422] {
            #expect(OutboxRetryPolicy.outcome(forStatus: status) == .reject, "\(status)")
        }
    }

    @Test func backoffDoublesUpToItsCap() {
        let policy = OutboxRetryPolicy(initialBackoff: .seconds(1), maximumBackoff: .seconds(60))
        #expect(policy.backoff(afterAttempts: 1, jitter: 0) == .seconds(1))
        #expect(policy.backoff(afterAttempts: 2, jitter: 0) == .seconds(2))
        #expect(policy.backoff(afterAttempts: 4, jitter: 0) == .seconds(8))
        #expect(policy.backoff(afterAttempts: 7, jitter: 0) == .seconds(60))
        #expect(policy.backoff(afterAttempts: 1000, jitter: 0) == .seconds(60))
        #expect(policy.backoff(afterAttempts: 4, jitter: 1) == .milliseconds(6400))
        #expect(policy.backoff(afterAttempts: 0, jitter: 0) == .seconds(1))
    }
}

@Suite struct RequestFactsTests {
    @Test func clientAddressIsTheLastForwardedIPElseThePeer() {
        // The gateway appends what it saw; what the client sent before it is ignored.
        #expect(
            RequestFactsMiddleware.clientAddress(forwardedFor: "1.1.1.1, 203.0.113.9", peer: "10.0.0.2")
                == "203.0.113.9")
        #expect(RequestFactsMiddleware.clientAddress(forwardedFor: " 2001:DB8::1 ", peer: nil) == "2001:db8::1")
        #expect(RequestFactsMiddleware.clientAddress(forwardedFor: "1.2.3.4, junk", peer: "10.0.0.2") == "10.0.0.2")
        #expect(RequestFactsMiddleware.clientAddress(forwardedFor: "999.1.1.1", peer: "10.0.0.2") == "10.0.0.2")
        #expect(RequestFactsMiddleware.clientAddress(forwardedFor: nil, peer: "10.0.0.2") == "10.0.0.2")
        #expect(RequestFactsMiddleware.clientAddress(forwardedFor: nil, peer: nil) == nil)
    }
}

@Suite struct ClientCredentialsTests {
    @Test func basicOrFormButNotBoth() throws {
        let basic = "Basic " + Data("svc-1:s3cret".utf8).base64EncodedString()
        #expect(
            try ClientCredentials.parse(authorization: basic, formID: nil, formSecret: nil)
                == .init(clientID: "svc-1", secret: "s3cret"))
        #expect(
            try ClientCredentials.parse(authorization: nil, formID: "svc-1", formSecret: "s3cret")
                == .init(clientID: "svc-1", secret: "s3cret"))
        let encoded = "Basic " + Data("svc%2D1:a%3Ab".utf8).base64EncodedString()
        #expect(
            try ClientCredentials.parse(authorization: encoded, formID: nil, formSecret: nil)
                == .init(clientID: "svc-1", secret: "a:b"))

        func oauthError(_ authorization: String?, _ id: String?, _ secret: String?) -> String? {
            do {
                _ = try ClientCredentials.parse(authorization: authorization, formID: id, formSecret: secret)
                return nil
            } catch let error as APIError {
                return error.details["oauthError"].flatMap { if case .string(let code) = $0 { code } else { nil } }
            } catch {
                return "other"
            }
        }
        #expect(oauthError(basic, "svc-1", "s3cret") == "invalid_request")
        #expect(oauthError(nil, "svc-1", nil) == "invalid_request")
        #expect(oauthError(nil, nil, nil) == "invalid_client")
        #expect(oauthError("Bearer abc", nil, nil) == "invalid_client")
        #expect(oauthError("Basic !!!", nil, nil) == "invalid_client")
        #expect(oauthError("Basic " + Data("no-colon".utf8).base64EncodedString(), nil, nil) == "invalid_client")
    }
}
