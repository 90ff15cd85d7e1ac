import Foundation
import JWTKit

extension AuthSettings {
    /// Reads the auth variables of `PlatformConfiguration`'s table. Secrets (the private
    /// key, the admin password) are never quoted in an error.
    init(reader: EnvironmentReader, eventURL: String) throws(ConfigurationError) {
        self.init(
            signingKey: try Self.signingKey(reader),
            previousPublicKeys: try Self.previousPublicKeys(reader),
            accessTokenLifetimeSeconds: try reader.integer(
                "ACCESS_TOKEN_TTL_SECONDS", default: 900, in: 60...86_400, expected: "seconds 60…86400"),
            refreshTokenLifetimeSeconds: try reader.integer(
                "REFRESH_TOKEN_TTL_SECONDS", default: 14 * 24 * 3600, in: 300...31_536_000,
                expected: "seconds 300…31536000"),
            serviceTokenLifetimeSeconds: try reader.integer(
                "SERVICE_TOKEN_TTL_SECONDS", default: 300, in: 30...3600, expected: "seconds 30…3600"),
            bcryptCost: try reader.integer("BCRYPT_COST", default: 12, in: 4...31, expected: "a bcrypt cost 4…31"),
            adminBootstrap: try Self.adminBootstrap(reader),
            loginRateLimit: LoginRateLimit(
                attemptsPerEmail: try reader.integer(
                    "LOGIN_RATE_LIMIT_EMAIL_ATTEMPTS", default: 5, in: 1...10_000, expected: "a count 1…10000"),
                emailWindowSeconds: try reader.integer(
                    "LOGIN_RATE_LIMIT_EMAIL_WINDOW_SECONDS", default: 900, in: 1...86_400, expected: "seconds 1…86400"),
                attemptsPerIP: try reader.integer(
                    "LOGIN_RATE_LIMIT_IP_ATTEMPTS", default: 50, in: 1...100_000, expected: "a count 1…100000"),
                ipWindowSeconds: try reader.integer(
                    "LOGIN_RATE_LIMIT_IP_WINDOW_SECONDS", default: 900, in: 1...86_400, expected: "seconds 1…86400")
            ),
            eventURL: eventURL
        )
    }

    private static func signingKey(_ reader: EnvironmentReader) throws(ConfigurationError) -> SigningKey? {
        guard let pem = try reader.valueOrFile("JWT_PRIVATE_KEY") else {
            if reader.raw("JWT_KEY_ID") != nil {
                throw ConfigurationError(
                    variable: "JWT_KEY_ID", reason: "set without JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE")
            }
            return nil
        }
        guard (try? ES256PrivateKey(pem: pem.value)) != nil else {
            throw ConfigurationError(variable: pem.variable, reason: "expected a PEM-encoded P-256 (ES256) private key")
        }
        let keyID = reader.raw("JWT_KEY_ID")
        if let keyID, keyID.count > 128 || keyID.contains(where: { $0.isWhitespace || $0 == "\"" }) {
            throw ConfigurationError(
                variable: "JWT_KEY_ID",
                reason: "expected 1–128 characters without spaces or quotes, got \(EnvironmentReader.quoted(keyID))")
        }
        return SigningKey(privateKeyPEM: pem.value, keyID: keyID)
    }

    /// A JWK set (`{"keys": [{"kid", "x", "y", …}]}`) of P-256 public keys.
    private static func previousPublicKeys(_ reader: EnvironmentReader) throws(ConfigurationError) -> [PublicKey] {
        guard let text = try reader.valueOrFile("JWT_PREVIOUS_PUBLIC_KEYS") else { return [] }
        struct KeySet: Decodable {
            struct Key: Decodable {
                var kty: String?
                var crv: String?
                var kid: String
                var x: String
                var y: String
            }
            var keys: [Key]
        }
        let keySet: KeySet
        do {
            keySet = try JSONDecoder().decode(KeySet.self, from: Data(text.value.utf8))
        } catch {
            throw ConfigurationError(
                variable: text.variable, reason: "expected a JWK set {\"keys\": [{\"kid\", \"x\", \"y\", …}]}")
        }
        var keys: [PublicKey] = []
        for key in keySet.keys {
            let isP256 = (key.kty ?? "EC") == "EC" && (key.crv ?? "P-256") == "P-256"
            guard isP256, !key.kid.isEmpty, (try? ES256PublicKey(parameters: (key.x, key.y))) != nil else {
                throw ConfigurationError(
                    variable: text.variable,
                    reason: "key \(EnvironmentReader.quoted(key.kid)) is not a P-256 public key with a kid")
            }
            keys.append(PublicKey(kid: key.kid, x: key.x, y: key.y))
        }
        return keys
    }

    private static func adminBootstrap(_ reader: EnvironmentReader) throws(ConfigurationError) -> AdminBootstrap? {
        let email = reader.raw("ADMIN_EMAIL")
        let password = reader.environment["ADMIN_PASSWORD"].flatMap { $0.isEmpty ? nil : $0 }
        switch (email, password) {
        case (nil, nil):
            return nil
        case (nil, .some):
            throw ConfigurationError(variable: "ADMIN_EMAIL", reason: "required when ADMIN_PASSWORD is set")
        case (.some, nil):
            throw ConfigurationError(variable: "ADMIN_PASSWORD", reason: "required when ADMIN_EMAIL is set")
        case (.some(let email), .some(let password)):
            let parts = email.split(separator: "@", omittingEmptySubsequences: false)
            guard email.utf8.count <= 254, parts.count == 2, !parts[0].isEmpty, parts[1].contains(".") else {
                throw ConfigurationError(
                    variable: "ADMIN_EMAIL", reason: "expected an email address, got \(EnvironmentReader.quoted(email))"
                )
            }
            guard password.count >= 10, password.utf8.count <= 72, !password.contains("\0") else {
                throw ConfigurationError(variable: "ADMIN_PASSWORD", reason: "expected 10 to 72 bytes (bcrypt's limit)")
            }
            return AdminBootstrap(email: email, password: password)
        }
    }
}

extension EnvironmentReader {
    /// The value of `NAME`, or the contents of the file `NAME_FILE` names (Docker secrets);
    /// both set is an error. The value is never quoted in an error (it may be a key).
    func valueOrFile(_ name: String) throws(ConfigurationError) -> (variable: String, value: String)? {
        let fileVariable = name + "_FILE"
        let direct = environment[name].flatMap { $0.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty ? nil : $0 }
        switch (direct, raw(fileVariable)) {
        case (nil, nil):
            return nil
        case (.some, .some):
            throw ConfigurationError(variable: fileVariable, reason: "set together with \(name); use one of them")
        case (.some(let value), nil):
            return (name, value)
        case (nil, .some(let path)):
            guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
            else {
                throw ConfigurationError(
                    variable: fileVariable, reason: "cannot read the file \(Self.quoted(path))")
            }
            guard !text.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty else {
                throw ConfigurationError(variable: fileVariable, reason: "the file \(Self.quoted(path)) is empty")
            }
            return (fileVariable, text)
        }
    }
}
