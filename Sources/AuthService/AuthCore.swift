public import Logging
public import MongoKit
public import PlatformCore
import Synchronization

/// The auth service's long-lived parts, built once per process and shared by the HTTP
/// handlers, the admin bootstrap and the outbox relay: signing keys, the password hasher
/// and the repositories over the auth database.
public struct AuthCore: Sendable {
    /// The settings it was built from.
    public let settings: AuthSettings
    /// The hasher every password goes through; run it as a `Service` next to the pool.
    public let hasher: PasswordHasher
    /// The auth database.
    public let database: MongoDatabase
    let keys: SigningKeys
    let tokens: AccessTokenIssuer
    let users: any UserRepository
    let refreshTokens: any RefreshTokenRepository
    let serviceClients: any ServiceClientRepository
    let outbox: any OutboxRepository
    let loginAttempts: any LoginAttemptRepository
    let locks: any LockRepository
    /// A bcrypt hash of a random password at the configured cost: verified against when a
    /// login names an unknown email, so both failures take the same time.
    let dummyPasswordHash: String
    /// Whether `prepareDatabase` has succeeded in this process.
    let preparation = PreparationFlag()

    /// Loads the keys and prepares the hasher. No database I/O happens here (see
    /// `prepareDatabase(logger:)`).
    /// - Parameters:
    ///   - settings: Keys, lifetimes, bcrypt cost, admin, rate limits, relay target.
    ///   - database: The auth database.
    ///   - hasher: The password hasher; by default one at `settings.bcryptCost`.
    ///   - logger: Where key loading is reported (a generated development key is a warning).
    /// - Throws: `AuthStartupError` for unusable key material.
    public static func make(
        settings: AuthSettings, database: MongoDatabase, hasher: PasswordHasher? = nil, logger: Logger
    ) async throws -> AuthCore {
        let keys = try await SigningKeys.load(settings, logger: logger)
        let hasher = hasher ?? PasswordHasher(cost: settings.bcryptCost)
        if hasher.cost < 12 {
            logger.warning(
                "bcrypt cost below 12: acceptable for tests only", metadata: ["bcrypt.cost": "\(hasher.cost)"])
        }
        let dummyPasswordHash = try await hasher.hash(OpaqueToken.generate())
        return AuthCore(
            settings: settings,
            hasher: hasher,
            database: database,
            keys: keys,
            tokens: AccessTokenIssuer(
                keys: keys,
                expectations: TokenExpectations(),
                userTokenLifetime: settings.accessTokenLifetimeSeconds,
                serviceTokenLifetime: settings.serviceTokenLifetimeSeconds
            ),
            users: MongoUserRepository(database: database),
            refreshTokens: MongoRefreshTokenRepository(database: database),
            serviceClients: MongoServiceClientRepository(database: database),
            outbox: MongoOutboxRepository(database: database),
            loginAttempts: MongoLoginAttemptRepository(database: database),
            locks: MongoLockRepository(database: database),
            dummyPasswordHash: dummyPasswordHash
        )
    }

    /// A verifier over auth's own published keys (auth checks every token itself).
    public var verifier: TokenVerifier { keys.verifier }

    /// Whether the indexes exist and the admin bootstrap ran (in this process).
    public var isDatabasePrepared: Bool { preparation.isSet }

    /// Creates the indexes and bootstraps the admin, retrying while MongoDB is unreachable
    /// (replicas and MongoDB may start together); idempotent across replicas.
    /// - Parameters:
    ///   - logger: Where progress and retries are reported.
    ///   - attempts: How many times to try before giving up.
    /// - Throws: The last `MongoError` when MongoDB stays unreachable, or at once for a
    ///   refusal that retrying cannot fix (e.g. an index that conflicts with an existing one).
    public func prepareDatabase(logger: Logger, attempts: Int = 10) async throws {
        var delay = Duration.milliseconds(250)
        for attempt in 1...max(1, attempts) {
            do {
                try await AuthIndexes.create(in: database)
                try await AdminBootstrap(core: self).run(logger: logger)
                preparation.set()
                logger.info("auth database prepared")
                return
            } catch let error as MongoError where error.isTransient && attempt < attempts {
                logger.warning(
                    "auth database not ready; retrying",
                    metadata: ["attempt": "\(attempt)", "error.description": "\(error)"])
                try await Task.sleep(for: delay)
                delay = min(delay * 2, .seconds(5))
            }
        }
    }
}

/// A flag set once, readable from any thread.
final class PreparationFlag: Sendable {
    private let value = Mutex(false)

    var isSet: Bool { value.withLock { $0 } }

    func set() { value.withLock { $0 = true } }
}
