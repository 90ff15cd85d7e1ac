/// What the auth service needs besides where it listens and its database: signing keys,
/// token lifetimes, password hashing, the admin bootstrap, login rate limits and where its
/// outbox relay delivers (DESIGN §3, §5).
///
/// It holds secrets (the private key, the admin password): its `description` redacts them,
/// so printing or logging a configuration never leaks one.
public struct AuthSettings: Sendable, Equatable {
    /// The key that signs access tokens; `nil` makes the service generate a development key
    /// at start (and log a warning).
    public var signingKey: SigningKey?
    /// Public keys of earlier signing keys, still published in the JWKS (and accepted) while
    /// tokens they signed may be alive.
    public var previousPublicKeys: [PublicKey]
    /// Lifetime of a user's access token, in seconds.
    public var accessTokenLifetimeSeconds: Int
    /// Lifetime of a refresh token, in seconds (each rotation starts a new one).
    public var refreshTokenLifetimeSeconds: Int
    /// Lifetime of a SERVICE token (client-credentials grant and the outbox relay), in seconds.
    public var serviceTokenLifetimeSeconds: Int
    /// The bcrypt cost (log2 rounds), 4–31; 12 or more in production.
    public var bcryptCost: Int
    /// The ADMIN account created at start when no admin exists; `nil` for none.
    public var adminBootstrap: AdminBootstrap?
    /// How many failed logins are tolerated, per email and per client IP.
    public var loginRateLimit: LoginRateLimit
    /// The event service's base URL, without a trailing slash: the outbox relay delivers there.
    public var eventURL: String

    /// An ES256 (P-256) private key and the `kid` its tokens name.
    public struct SigningKey: Sendable, Equatable {
        /// The key, PEM-encoded (PKCS#8 or SEC 1).
        public var privateKeyPEM: String
        /// The `kid`; `nil` derives it from the public key (RFC 7638 thumbprint).
        public var keyID: String?

        /// - Parameters:
        ///   - privateKeyPEM: The PEM-encoded P-256 private key.
        ///   - keyID: The `kid`, or `nil` to derive it from the key.
        public init(privateKeyPEM: String, keyID: String? = nil) {
            self.privateKeyPEM = privateKeyPEM
            self.keyID = keyID
        }
    }

    /// A P-256 public key as a JWK publishes it.
    public struct PublicKey: Sendable, Equatable, Codable {
        /// The `kid`.
        public var kid: String
        /// The x coordinate, base64url without padding.
        public var x: String
        /// The y coordinate, base64url without padding.
        public var y: String

        /// - Parameters:
        ///   - kid: The key id.
        ///   - x: The x coordinate, base64url.
        ///   - y: The y coordinate, base64url.
        public init(kid: String, x: String, y: String) {
            self.kid = kid
            self.x = x
            self.y = y
        }
    }

    /// The account `ADMIN_EMAIL`/`ADMIN_PASSWORD` describe.
    public struct AdminBootstrap: Sendable, Equatable {
        /// The admin's email, lower-cased.
        public var email: String
        /// The admin's password (10–72 bytes).
        public var password: String

        /// - Parameters:
        ///   - email: The admin's email.
        ///   - password: The admin's password.
        public init(email: String, password: String) {
            self.email = email.lowercased()
            self.password = password
        }
    }

    /// Failed-login limits. Each counter lives in a fixed window; at the limit, further
    /// attempts get 429 until the window ends.
    public struct LoginRateLimit: Sendable, Equatable {
        /// Failed attempts allowed per email and window.
        public var attemptsPerEmail: Int
        /// The per-email window, in seconds.
        public var emailWindowSeconds: Int
        /// Failed attempts allowed per client IP and window.
        public var attemptsPerIP: Int
        /// The per-IP window, in seconds.
        public var ipWindowSeconds: Int

        /// - Parameters:
        ///   - attemptsPerEmail: Failures allowed per email and window (5 by default).
        ///   - emailWindowSeconds: The per-email window (900 s by default).
        ///   - attemptsPerIP: Failures allowed per client IP and window (50 by default).
        ///   - ipWindowSeconds: The per-IP window (900 s by default).
        public init(
            attemptsPerEmail: Int = 5, emailWindowSeconds: Int = 900, attemptsPerIP: Int = 50,
            ipWindowSeconds: Int = 900
        ) {
            self.attemptsPerEmail = attemptsPerEmail
            self.emailWindowSeconds = emailWindowSeconds
            self.attemptsPerIP = attemptsPerIP
            self.ipWindowSeconds = ipWindowSeconds
        }
    }

    /// Creates the auth settings; every parameter has the documented default.
    /// - Parameters:
    ///   - signingKey: The signing key, or `nil` for a generated development key.
    ///   - previousPublicKeys: Earlier keys still published.
    ///   - accessTokenLifetimeSeconds: 900 by default.
    ///   - refreshTokenLifetimeSeconds: 14 days by default.
    ///   - serviceTokenLifetimeSeconds: 300 by default.
    ///   - bcryptCost: 12 by default.
    ///   - adminBootstrap: The admin to create when none exists.
    ///   - loginRateLimit: Failed-login limits.
    ///   - eventURL: The event service's base URL.
    public init(
        signingKey: SigningKey? = nil,
        previousPublicKeys: [PublicKey] = [],
        accessTokenLifetimeSeconds: Int = 900,
        refreshTokenLifetimeSeconds: Int = 14 * 24 * 3600,
        serviceTokenLifetimeSeconds: Int = 300,
        bcryptCost: Int = 12,
        adminBootstrap: AdminBootstrap? = nil,
        loginRateLimit: LoginRateLimit = LoginRateLimit(),
        eventURL: String = "http://127.0.0.1:3002"
    ) {
        self.signingKey = signingKey
        self.previousPublicKeys = previousPublicKeys
        self.accessTokenLifetimeSeconds = accessTokenLifetimeSeconds
        self.refreshTokenLifetimeSeconds = refreshTokenLifetimeSeconds
        self.serviceTokenLifetimeSeconds = serviceTokenLifetimeSeconds
        self.bcryptCost = bcryptCost
        self.adminBootstrap = adminBootstrap
        self.loginRateLimit = loginRateLimit
        self.eventURL = eventURL
    }
}

extension AuthSettings: CustomStringConvertible, CustomDebugStringConvertible {
    /// The settings with the private key and the admin password left out.
    public var description: String {
        let key = signingKey.map { "configured(kid: \($0.keyID ?? "derived"))" } ?? "generated"
        let admin = adminBootstrap.map { "\($0.email) (password redacted)" } ?? "none"
        return "AuthSettings(signingKey: \(key), previousKeys: \(previousPublicKeys.map(\.kid)), "
            + "accessTokenLifetime: \(accessTokenLifetimeSeconds)s, refreshTokenLifetime: \(refreshTokenLifetimeSeconds)s, "
            + "serviceTokenLifetime: \(serviceTokenLifetimeSeconds)s, bcryptCost: \(bcryptCost), admin: \(admin), "
            + "loginRateLimit: \(loginRateLimit), eventURL: \(eventURL))"
    }

    public var debugDescription: String { description }
}

extension AuthSettings.SigningKey: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The key id only; the key is never printed.
    public var description: String { "SigningKey(kid: \(keyID ?? "derived"), key redacted)" }
    public var debugDescription: String { description }
    /// The key id only, so `dump` cannot print the key either.
    public var customMirror: Mirror { Mirror(self, children: ["keyID": keyID as Any]) }
}

extension AuthSettings.AdminBootstrap: CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// The email only; the password is never printed.
    public var description: String { "AdminBootstrap(email: \(email), password redacted)" }
    public var debugDescription: String { description }
    /// The email only, so `dump` cannot print the password either.
    public var customMirror: Mirror { Mirror(self, children: ["email": email]) }
}
