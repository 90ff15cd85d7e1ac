public import Logging
public import MongoKit

/// Everything a MongoDB-backed service (auth, event) is built from.
public struct ServiceConfiguration: Sendable, Equatable {
    /// Where the service listens.
    public var http: HTTPServerConfiguration
    /// How the service reaches MongoDB.
    public var mongo: MongoClientConfiguration
    /// The service's own database; it never reads another service's.
    public var databaseName: String
    /// The least severe level the service logs.
    public var logLevel: Logger.Level

    /// Creates a service configuration.
    /// - Parameters:
    ///   - http: Where the service listens.
    ///   - mongo: How it reaches MongoDB.
    ///   - databaseName: Its own database.
    ///   - logLevel: The least severe level it logs.
    public init(
        http: HTTPServerConfiguration,
        mongo: MongoClientConfiguration,
        databaseName: String,
        logLevel: Logger.Level = .info
    ) {
        self.http = http
        self.mongo = mongo
        self.databaseName = databaseName
        self.logLevel = logLevel
    }
}
