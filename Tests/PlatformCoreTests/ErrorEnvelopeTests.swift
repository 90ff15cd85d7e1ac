import Foundation
import Hummingbird
import HummingbirdTesting
import MongoKit
import NIOCore
import PlatformCore
import Testing

/// A payload with nesting, to check that decoding failures name the field path.
private struct Order: Decodable {
    struct Customer: Decodable { let name: String }
    struct Item: Decodable {
        let sku: String
        let quantity: Int
    }
    let customer: Customer
    let items: [Item]
}

/// An error whose text must never reach a client.
private struct LeakyError: Error, CustomStringConvertible {
    var description: String { "connection to db-7 failed, password=hunter2" }
}

/// Errors a route throws, by name, so tests can pick one.
private let thrownErrors: [String: any Error] = [
    "api": APIError(.businessRule, message: "The event has ended.", details: ["endAt": "2025-01-01T00:00:00Z"]),
    "leaky": LeakyError(),
    "duplicate": MongoError.duplicateKey(
        index: "email_1", key: ["email": "alice@example.com"], message: "E11000 duplicate key alice@example.com"),
    "server-selection": MongoError.serverSelection(message: "No suitable servers found"),
    "network": MongoError.network(message: "socket closed"),
    "closed": MongoError.closed,
    "mongo-timeout": MongoError.timeout(message: "socket timeout"),
    "mongo-decoding": MongoError.decoding(keyPath: "profile.age", message: "expected Int, found secret-value"),
    "method": HTTPError(.methodNotAllowed),
]

private func errorRouter() -> Router<PlatformRequestContext> {
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    router.get("throw/:name") { _, context -> HTTPResponse.Status in
        let name = try context.parameters.require("name")
        throw thrownErrors[name] ?? APIError(.notFound)
    }
    router.post("plain-decoder") { request, context -> HTTPResponse.Status in
        // A handler decoding by hand: the DecodingError itself reaches the middleware.
        let body = try await request.body.collect(upTo: context.maxUploadSize)
        _ = try JSONDecoder().decode(Order.self, from: Data(body.readableBytesView))
        return .noContent
    }
    router.post("hummingbird-decode") { request, context -> HTTPResponse.Status in
        _ = try await request.decode(as: Order.self, context: context)
        return .noContent
    }
    return router
}

@Suite struct ErrorEnvelopeTests {
    @Test func thrownAPIErrorIsRenderedWithItsStatusCodeAndRequestID() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/api", method: .get)
            #expect(response.status == .unprocessableContent)
            #expect(response.headers[.contentType] == "application/json; charset=utf-8")
            let error = try response.envelope()
            #expect(error.code == "BUSINESS_RULE")
            #expect(error.message == "The event has ended.")
            #expect(error.details == ["endAt": "2025-01-01T00:00:00Z"])
            let headerID = try #require(response.headers[.xRequestID])
            #expect(error.requestId == headerID)
        }
    }

    @Test func envelopeOmitsDetailsWhenThereAreNone() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/leaky", method: .get)
            #expect(try response.envelope().details == nil)
            #expect(!response.text.contains("details"))
        }
    }

    @Test func unknownRouteReturnsNotFoundEnvelope() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/no/such/route", method: .get)
            #expect(response.status == .notFound)
            let error = try response.envelope()
            #expect(error.code == "NOT_FOUND")
            #expect(error.requestId == response.headers[.xRequestID])
        }
    }

    @Test func knownPathWithAnotherMethodReturnsNotFoundEnvelope() async throws {
        // Hummingbird 2 answers an unrouted method like an unknown path (404).
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/plain-decoder", method: .get)
            #expect(response.status == .notFound)
            #expect(try response.envelope().code == "NOT_FOUND")
        }
    }

    @Test func thrownHTTPErrorIsRenderedByStatus() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/method", method: .get)
            #expect(response.status == .methodNotAllowed)
            #expect(try response.envelope().code == "METHOD_NOT_ALLOWED")
        }
    }

    @Test func malformedJSONBodyIsValidationFailed() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/plain-decoder", method: .post, body: ByteBuffer(string: #"{"customer": {"name": "x"#))
            #expect(response.status == .badRequest)
            let error = try response.envelope()
            #expect(error.code == "VALIDATION_FAILED")
            #expect(
                error.message
                    == "The request body is not valid JSON, or a number in it is out of range or not a whole number.")
        }
    }

    @Test func emptyBodyIsValidationFailed() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/plain-decoder", method: .post)
            #expect(response.status == .badRequest)
            #expect(try response.envelope().code == "VALIDATION_FAILED")
        }
    }

    @Test(arguments: [
        (#"{"customer": {}, "items": []}"#, "customer.name"),
        (
            #"{"customer": {"name": "a"}, "items": [{"sku": "a", "quantity": 1}, {"sku": "b", "quantity": 2}, {"sku": "c", "quantity": "three"}]}"#,
            "items[2].quantity"
        ),
        (#"{"customer": {"name": "a"}, "items": [{"sku": null, "quantity": 1}]}"#, "items[0].sku"),
    ])
    func decodingErrorNamesTheNestedFieldPath(body: String, field: String) async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/plain-decoder", method: .post, body: ByteBuffer(string: body))
            #expect(response.status == .badRequest)
            let error = try response.envelope()
            #expect(error.code == "VALIDATION_FAILED")
            #expect(error.details == ["field": .string(field)])
        }
    }

    @Test func hummingbirdDecodeFailureIsValidationFailedWithoutQuotingInput() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(
                uri: "/hummingbird-decode", method: .post, body: ByteBuffer(string: #"{"customer": "secret-input"}"#))
            #expect(response.status == .badRequest)
            #expect(try response.envelope().code == "VALIDATION_FAILED")
            #expect(!response.text.contains("secret-input"))
        }
    }

    @Test func bodyOverTheUploadLimitIsPayloadTooLarge() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let body = ByteBuffer(repeating: UInt8(ascii: " "), count: 2 * 1024 * 1024 + 1)
            let response = try await client.execute(uri: "/plain-decoder", method: .post, body: body)
            #expect(response.status == .contentTooLarge)
            #expect(try response.envelope().code == "PAYLOAD_TOO_LARGE")
        }
    }

    @Test func genericErrorIsInternalAndDoesNotLeakItsText() async throws {
        let logs = LogCapture()
        try await testApplication(errorRouter(), logger: logs.logger()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/leaky", method: .get)
            #expect(response.status == .internalServerError)
            let error = try response.envelope()
            #expect(error.code == "INTERNAL")
            #expect(error.message == "An internal error occurred.")
            #expect(!response.text.contains("hunter2"))
            #expect(!response.text.contains("db-7"))
            // The log has what the response must not, with the request id.
            let logged = try logs.objects().first { $0["msg"] == "request failed" }
            #expect(logged?["request.id"] == error.requestId)
            #expect(logged?["level"] == "error")
            #expect(logged?["error.description"]?.contains("db-7") == true)
        }
    }

    @Test func duplicateKeyIsConflictWithoutTheKey() async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/duplicate", method: .get)
            #expect(response.status == .conflict)
            #expect(try response.envelope().code == "CONFLICT")
            #expect(!response.text.contains("alice"))
            #expect(!response.text.contains("E11000"))
        }
    }

    @Test(arguments: [
        ("server-selection", HTTPResponse.Status.serviceUnavailable, "SERVICE_UNAVAILABLE"),
        ("network", .serviceUnavailable, "SERVICE_UNAVAILABLE"),
        ("closed", .serviceUnavailable, "SERVICE_UNAVAILABLE"),
        ("mongo-timeout", .gatewayTimeout, "UPSTREAM_TIMEOUT"),
        ("mongo-decoding", .internalServerError, "INTERNAL"),
    ])
    func mongoErrorsMapToTheirStatus(name: String, status: HTTPResponse.Status, code: String) async throws {
        try await testApplication(errorRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/throw/\(name)", method: .get)
            #expect(response.status == status)
            #expect(try response.envelope().code == code)
            #expect(!response.text.contains("secret-value"))
        }
    }

    @Test func everyPlatformCodeMapsToItsStatus() {
        let expected: [(APIError.Code, Int)] = [
            (.validationFailed, 400), (.unauthorized, 401), (.forbidden, 403), (.notFound, 404),
            (.methodNotAllowed, 405), (.conflict, 409), (.payloadTooLarge, 413), (.businessRule, 422),
            (.rateLimited, 429), (.internal, 500), (.upstreamUnavailable, 502), (.serviceUnavailable, 503),
            (.upstreamTimeout, 504),
        ]
        for (code, status) in expected {
            #expect(APIError(code).status.code == status, "\(code)")
        }
    }
}
