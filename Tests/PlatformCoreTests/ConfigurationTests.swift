import Logging
import MongoKit
import PlatformCore
import Testing

@Suite struct ConfigurationTests {
    @Test func emptyEnvironmentGivesTheDocumentedDefaults() throws {
        let configuration = try PlatformConfiguration(environment: [:])
        #expect(configuration.gateway.http == HTTPServerConfiguration(host: "127.0.0.1", port: 3000))
        #expect(configuration.gateway.authURL == "http://127.0.0.1:3001")
        #expect(configuration.gateway.eventURL == "http://127.0.0.1:3002")
        #expect(configuration.auth.http == HTTPServerConfiguration(host: "127.0.0.1", port: 3001))
        #expect(configuration.event.http == HTTPServerConfiguration(host: "127.0.0.1", port: 3002))
        #expect(configuration.auth.databaseName == "auth")
        #expect(configuration.event.databaseName == "event")
        #expect(
            configuration.auth.mongo
                == MongoClientConfiguration(
                    uri: "mongodb://127.0.0.1:27017",
                    maxPoolSize: 16,
                    serverSelectionTimeout: .milliseconds(5000),
                    connectTimeout: .milliseconds(2000),
                    socketTimeout: .milliseconds(10000),
                    waitQueueTimeout: .milliseconds(10000),
                    appName: "event-reward-auth"
                )
        )
        #expect(configuration.event.mongo.appName == "event-reward-event")
        #expect(configuration.logging == LoggingConfiguration(level: .info, format: .json))
        #expect(configuration.auth.logLevel == .info)
        #expect(configuration.gateway.logLevel == .info)
    }

    @Test func everyVariableOverridesItsDefault() throws {
        let configuration = try PlatformConfiguration(environment: [
            "HOST": "0.0.0.0",
            "GATEWAY_PORT": "8000",
            "AUTH_PORT": "8001",
            "EVENT_PORT": "0",
            "AUTH_URL": "http://auth:3001/",
            "EVENT_URL": "https://event.internal",
            "MONGODB_URI": "mongodb://mongo:27017/?replicaSet=rs0",
            "AUTH_DATABASE": "auth_test",
            "EVENT_DATABASE": "event_test",
            "MONGODB_MAX_POOL_SIZE": "4",
            "MONGODB_SERVER_SELECTION_TIMEOUT_MS": "300",
            "MONGODB_CONNECT_TIMEOUT_MS": "150",
            "MONGODB_SOCKET_TIMEOUT_MS": "900",
            "MONGODB_WAIT_QUEUE_TIMEOUT_MS": "250",
            "LOG_LEVEL": "DEBUG",
            "LOG_FORMAT": "text",
        ])
        #expect(configuration.gateway.http == HTTPServerConfiguration(host: "0.0.0.0", port: 8000))
        #expect(configuration.auth.http == HTTPServerConfiguration(host: "0.0.0.0", port: 8001))
        #expect(configuration.event.http == HTTPServerConfiguration(host: "0.0.0.0", port: 0))
        #expect(configuration.gateway.authURL == "http://auth:3001")
        #expect(configuration.gateway.eventURL == "https://event.internal")
        #expect(configuration.auth.databaseName == "auth_test")
        #expect(configuration.event.databaseName == "event_test")
        let mongo = configuration.event.mongo
        #expect(mongo.uri == "mongodb://mongo:27017/?replicaSet=rs0")
        #expect(mongo.maxPoolSize == 4)
        #expect(mongo.serverSelectionTimeout == .milliseconds(300))
        #expect(mongo.connectTimeout == .milliseconds(150))
        #expect(mongo.socketTimeout == .milliseconds(900))
        #expect(mongo.waitQueueTimeout == .milliseconds(250))
        #expect(configuration.logging == LoggingConfiguration(level: .debug, format: .text))
        #expect(configuration.event.logLevel == .debug)
    }

    @Test func blankVariableTakesItsDefault() throws {
        let configuration = try PlatformConfiguration(environment: ["GATEWAY_PORT": "  ", "LOG_LEVEL": ""])
        #expect(configuration.gateway.http.port == 3000)
        #expect(configuration.logging.level == .info)
    }

    @Test func badGatewayPortNamesTheVariable() {
        #expect {
            try PlatformConfiguration(environment: ["GATEWAY_PORT": "abc"])
        } throws: { error in
            let error = error as? ConfigurationError
            return error?.variable == "GATEWAY_PORT" && error?.description.hasPrefix("GATEWAY_PORT: ") == true
        }
    }

    @Test(arguments: [
        ("GATEWAY_PORT", "70000"),
        ("AUTH_PORT", "-1"),
        ("EVENT_PORT", "30 02"),
        ("MONGODB_MAX_POOL_SIZE", "0"),
        ("MONGODB_SERVER_SELECTION_TIMEOUT_MS", "soon"),
        ("MONGODB_CONNECT_TIMEOUT_MS", "0"),
        ("MONGODB_SOCKET_TIMEOUT_MS", "99999999999"),
        ("MONGODB_WAIT_QUEUE_TIMEOUT_MS", "-5"),
        ("LOG_LEVEL", "loud"),
        ("LOG_FORMAT", "xml"),
        ("AUTH_URL", "ftp://auth"),
        ("EVENT_URL", "event:3002"),
        ("AUTH_DATABASE", "a.b"),
        ("HOST", "local host"),
        ("GATEWAY_TOKEN_CACHE_SIZE", "-1"),
        ("GATEWAY_TOKEN_CACHE_SIZE", "1000001"),
        ("GATEWAY_TOKEN_CACHE_SIZE", "10k"),
        ("GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP", "0"),
        ("GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP", "1001"),
        ("GATEWAY_TOKEN_FAILURE_LIMIT", "-1"),
        ("GATEWAY_TOKEN_FAILURE_LIMIT", "1000001"),
        ("GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS", "0"),
        ("GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS", "86401"),
        ("GATEWAY_IDLE_TIMEOUT_SECONDS", "-1"),
        ("GATEWAY_IDLE_TIMEOUT_SECONDS", "86401"),
    ])
    func malformedValueNamesItsVariable(variable: String, value: String) {
        do {
            _ = try PlatformConfiguration(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
            #expect(!error.description.contains("\n"))
        }
    }

    @Test func eventWorkerVariablesHaveDefaultsAndOverrides() throws {
        #expect(try PlatformConfiguration(environment: [:]).eventWorkers == EventWorkersConfiguration())
        let defaults = EventWorkersConfiguration()
        #expect(defaults.claimRetryInterval == .seconds(1) && defaults.claimRetryBackoff == .seconds(2))
        #expect(defaults.claimMaxAttempts == 10 && defaults.autoCompleteInterval == .seconds(30))
        #expect(defaults.leaseDuration == .seconds(30))
        let configured = try PlatformConfiguration(environment: [
            "CLAIM_RETRY_INTERVAL_MS": "250", "CLAIM_RETRY_BACKOFF_MS": "500", "CLAIM_MAX_ATTEMPTS": "3",
            "EVENT_AUTO_COMPLETE_INTERVAL_MS": "5000", "WORKER_LEASE_MS": "7000",
        ]).eventWorkers
        #expect(
            configured
                == EventWorkersConfiguration(
                    claimRetryInterval: .milliseconds(250), claimRetryBackoff: .milliseconds(500),
                    claimMaxAttempts: 3, autoCompleteInterval: .milliseconds(5000), leaseDuration: .milliseconds(7000)))
    }

    @Test(arguments: [
        ("CLAIM_RETRY_INTERVAL_MS", "0"),
        ("CLAIM_RETRY_BACKOFF_MS", "fast"),
        ("CLAIM_MAX_ATTEMPTS", "0"),
        ("CLAIM_MAX_ATTEMPTS", "1001"),
        ("EVENT_AUTO_COMPLETE_INTERVAL_MS", "-5"),
        ("WORKER_LEASE_MS", "1.5"),
    ])
    func malformedEventWorkerValueNamesItsVariable(variable: String, value: String) {
        do {
            _ = try PlatformConfiguration(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test func gatewayTimeoutsHaveDefaultsAndOverrides() throws {
        let defaults = try PlatformConfiguration(environment: [:]).gateway
        #expect(defaults.connectTimeout == .milliseconds(1000))
        #expect(defaults.readTimeout == .milliseconds(10000))
        #expect(defaults.maximumBodySize == 1_048_576)
        #expect(defaults.tokenExpectations == TokenExpectations())
        #expect(defaults.jwksURL == "http://127.0.0.1:3001/.well-known/jwks.json")
        let configured = try PlatformConfiguration(environment: [
            "GATEWAY_CONNECT_TIMEOUT_MS": "250", "GATEWAY_READ_TIMEOUT_MS": "300", "AUTH_URL": "http://auth:9/",
        ]).gateway
        #expect(configured.connectTimeout == .milliseconds(250))
        #expect(configured.readTimeout == .milliseconds(300))
        #expect(configured.jwksURL == "http://auth:9/.well-known/jwks.json")
    }

    @Test func gatewayCacheAndConnectionLimitsHaveDefaultsAndOverrides() throws {
        let defaults = try PlatformConfiguration(environment: [:]).gateway
        #expect(defaults.tokenCacheSize == 10_000)
        #expect(defaults.makeTokenCache()?.capacity == 10_000)
        #expect(defaults.upstreamConnectionsPerLoop == 64)
        let configured = try PlatformConfiguration(environment: [
            "GATEWAY_TOKEN_CACHE_SIZE": "250000", "GATEWAY_UPSTREAM_CONNECTIONS_PER_LOOP": "8",
        ]).gateway
        #expect(configured.makeTokenCache()?.capacity == 250_000)
        #expect(configured.upstreamConnectionsPerLoop == 8)
        let uncached = try PlatformConfiguration(environment: ["GATEWAY_TOKEN_CACHE_SIZE": "0"]).gateway
        #expect(uncached.makeTokenCache() == nil)
    }

    @Test func gatewayIdleTimeoutHasADefaultAnOverrideAndAnOff() throws {
        #expect(try PlatformConfiguration(environment: [:]).gateway.idleTimeout == .seconds(75))
        let configured = try PlatformConfiguration(environment: ["GATEWAY_IDLE_TIMEOUT_SECONDS": "300"])
        #expect(configured.gateway.idleTimeout == .seconds(300))
        #expect(
            try PlatformConfiguration(environment: ["GATEWAY_IDLE_TIMEOUT_SECONDS": "0"]).gateway.idleTimeout == nil)
    }

    @Test func gatewayBudgetOfForgedTokensHasDefaultsOverridesAndAnOff() throws {
        let defaults = try PlatformConfiguration(environment: [:]).gateway.makeTokenFailureBudget()
        #expect(defaults?.limit == 20)
        #expect(defaults?.windowSeconds == 60)
        let configured = try PlatformConfiguration(environment: [
            "GATEWAY_TOKEN_FAILURE_LIMIT": "5", "GATEWAY_TOKEN_FAILURE_WINDOW_SECONDS": "300",
        ]).gateway.makeTokenFailureBudget()
        #expect(configured?.limit == 5)
        #expect(configured?.windowSeconds == 300)
        let unlimited = try PlatformConfiguration(environment: ["GATEWAY_TOKEN_FAILURE_LIMIT": "0"]).gateway
        #expect(unlimited.makeTokenFailureBudget() == nil)
    }

    @Test(arguments: [
        ("GATEWAY_CONNECT_TIMEOUT_MS", "0"),
        ("GATEWAY_CONNECT_TIMEOUT_MS", "1s"),
        ("GATEWAY_READ_TIMEOUT_MS", "-1"),
        ("GATEWAY_READ_TIMEOUT_MS", "99999999999"),
    ])
    func malformedGatewayTimeoutNamesItsVariable(variable: String, value: String) {
        do {
            _ = try PlatformConfiguration(environment: [variable: value])
            Issue.record("\(variable)=\(value) was accepted")
        } catch {
            #expect(error.variable == variable)
        }
    }

    @Test func badMongoURIIsRefusedWithoutEchoingIt() {
        do {
            _ = try PlatformConfiguration(environment: ["MONGODB_URI": "postgres://user:s3cret@db"])
            Issue.record("accepted a non-MongoDB URI")
        } catch {
            #expect(error.variable == "MONGODB_URI")
            #expect(!error.description.contains("s3cret"))
        }
    }
}
