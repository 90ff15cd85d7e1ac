import Foundation
import PlatformCore
import TestSupport
import Testing

/// The auth variables of `PlatformConfiguration` (keys, lifetimes, bcrypt, admin bootstrap,
/// login rate limits).
@Suite struct AuthSettingsConfigurationTests {
    @Test func emptyEnvironmentGivesTheDocumentedAuthDefaults() throws {
        let settings = try PlatformConfiguration(environment: [:]).authSettings
        #expect(settings == AuthSettings())
        #expect(settings.signingKey == nil)
        #expect(settings.previousPublicKeys.isEmpty)
        #expect(settings.accessTokenLifetimeSeconds == 900)
        #expect(settings.refreshTokenLifetimeSeconds == 14 * 24 * 3600)
        #expect(settings.serviceTokenLifetimeSeconds == 300)
        #expect(settings.bcryptCost == 12)
        #expect(settings.adminBootstrap == nil)
        #expect(
            settings.loginRateLimit
                == .init(attemptsPerEmail: 5, emailWindowSeconds: 900, attemptsPerIP: 50, ipWindowSeconds: 900))
        #expect(settings.eventURL == "http://127.0.0.1:3002")
    }

    @Test func everyAuthVariableOverridesItsDefault() throws {
        let jwks = """
            {"keys":[{"kty":"EC","crv":"P-256","kid":"old-1",
            "x":"MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4","y":"4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM"}]}
            """
        let settings = try PlatformConfiguration(environment: [
            "JWT_PRIVATE_KEY": TestKeys.primaryPEM,
            "JWT_KEY_ID": "key-2025",
            "JWT_PREVIOUS_PUBLIC_KEYS": jwks,
            "ACCESS_TOKEN_TTL_SECONDS": "600",
            "REFRESH_TOKEN_TTL_SECONDS": "3600",
            "SERVICE_TOKEN_TTL_SECONDS": "120",
            "BCRYPT_COST": "4",
            "ADMIN_EMAIL": "Root@Example.com",
            "ADMIN_PASSWORD": "a long admin password",
            "LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS": "3",
            "LOGIN_RATE_LIMIT_EMAIL_WINDOW_SECONDS": "60",
            "LOGIN_RATE_LIMIT_IP_ATTEMPTS": "30",
            "LOGIN_RATE_LIMIT_IP_WINDOW_SECONDS": "120",
            "EVENT_URL": "http://event:3002/",
        ]).authSettings
        #expect(settings.signingKey == .init(privateKeyPEM: TestKeys.primaryPEM, keyID: "key-2025"))
        #expect(
            settings.previousPublicKeys == [
                .init(
                    kid: "old-1", x: "MKBCTNIcKUSDii11ySs3526iDZ8AiTo7Tu6KPAqv7D4",
                    y: "4Etl6SRW2YiLUrN5vfvVHuhp7x8PxltmWWlbbM4IFyM")
            ])
        #expect(settings.accessTokenLifetimeSeconds == 600)
        #expect(settings.refreshTokenLifetimeSeconds == 3600)
        #expect(settings.serviceTokenLifetimeSeconds == 120)
        #expect(settings.bcryptCost == 4)
        #expect(settings.adminBootstrap == .init(email: "root@example.com", password: "a long admin password"))
        #expect(
            settings.loginRateLimit
                == .init(attemptsPerEmail: 3, emailWindowSeconds: 60, attemptsPerIP: 30, ipWindowSeconds: 120))
        #expect(settings.eventURL == "http://event:3002")
    }

    @Test func keysCanComeFromFiles() throws {
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent(UUID().uuidString)
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let keyFile = directory.appendingPathComponent("key.pem")
        try TestKeys.secondaryPEM.write(to: keyFile, atomically: true, encoding: .utf8)
        let jwksFile = directory.appendingPathComponent("previous.json")
        try #"{"keys": []}"#.write(to: jwksFile, atomically: true, encoding: .utf8)
        let settings = try PlatformConfiguration(environment: [
            "JWT_PRIVATE_KEY_FILE": keyFile.path, "JWT_PREVIOUS_PUBLIC_KEYS_FILE": jwksFile.path,
        ]).authSettings
        #expect(settings.signingKey?.privateKeyPEM == TestKeys.secondaryPEM)
        #expect(settings.signingKey?.keyID == nil)
        #expect(settings.previousPublicKeys.isEmpty)
    }

    @Test(arguments: [
        (["JWT_PRIVATE_KEY": "not a key"], "JWT_PRIVATE_KEY"),
        (["JWT_PRIVATE_KEY": "x", "JWT_PRIVATE_KEY_FILE": "/tmp/k"], "JWT_PRIVATE_KEY_FILE"),
        (["JWT_PRIVATE_KEY_FILE": "/nonexistent/key.pem"], "JWT_PRIVATE_KEY_FILE"),
        (["JWT_KEY_ID": "orphan"], "JWT_KEY_ID"),
        (["JWT_PREVIOUS_PUBLIC_KEYS": "[]"], "JWT_PREVIOUS_PUBLIC_KEYS"),
        (["JWT_PREVIOUS_PUBLIC_KEYS": #"{"keys":[{"kid":"k","x":"AAAA","y":"AAAA"}]}"#], "JWT_PREVIOUS_PUBLIC_KEYS"),
        (["ACCESS_TOKEN_TTL_SECONDS": "0"], "ACCESS_TOKEN_TTL_SECONDS"),
        (["REFRESH_TOKEN_TTL_SECONDS": "forever"], "REFRESH_TOKEN_TTL_SECONDS"),
        (["SERVICE_TOKEN_TTL_SECONDS": "86400"], "SERVICE_TOKEN_TTL_SECONDS"),
        (["BCRYPT_COST": "3"], "BCRYPT_COST"),
        (["BCRYPT_COST": "32"], "BCRYPT_COST"),
        (["ADMIN_EMAIL": "root@example.com"], "ADMIN_PASSWORD"),
        (["ADMIN_PASSWORD": "a long admin password"], "ADMIN_EMAIL"),
        (["ADMIN_EMAIL": "root", "ADMIN_PASSWORD": "a long admin password"], "ADMIN_EMAIL"),
        (["ADMIN_EMAIL": "root@example.com", "ADMIN_PASSWORD": "short"], "ADMIN_PASSWORD"),
        (["LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS": "0"], "LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS"),
        (["LOGIN_RATE_LIMIT_IP_WINDOW_SECONDS": "-1"], "LOGIN_RATE_LIMIT_IP_WINDOW_SECONDS"),
    ])
    func malformedAuthValueNamesItsVariable(environment: [String: String], variable: String) {
        do {
            _ = try PlatformConfiguration(environment: environment)
            Issue.record("\(environment) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func secretsNeverAppearInErrorsOrDescriptions() throws {
        do {
            _ = try PlatformConfiguration(environment: ["ADMIN_EMAIL": "root@example.com", "ADMIN_PASSWORD": "tiny"])
            Issue.record("a short admin password was accepted")
        } catch {
            #expect(!error.description.contains("tiny"))
        }
        let settings = try PlatformConfiguration(environment: [
            "JWT_PRIVATE_KEY": TestKeys.primaryPEM, "ADMIN_EMAIL": "root@example.com",
            "ADMIN_PASSWORD": "a long admin password",
        ]).authSettings
        var dumped = ""
        dump(settings, to: &dumped)
        for text in [String(describing: settings), String(reflecting: settings), "\(settings.signingKey!)", dumped] {
            #expect(!text.contains("PRIVATE KEY"))
            #expect(!text.contains("a long admin password"))
        }
    }
}
