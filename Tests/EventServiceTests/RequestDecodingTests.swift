import Foundation
import HTTPTypes
import MongoKit
import PlatformCore
import TestSupport
import Testing

@testable import EventService

/// Requests the generated server cannot decode: each answer says what is wrong and, where
/// the decoder knows it, which field, so an operator or a game server can mend the request.
@Suite(.serialized) struct RequestDecodingTests {
    struct Case: CustomTestStringConvertible, Sendable {
        let name: String
        let path: String
        let body: String
        let field: String?
        let message: String
        var testDescription: String { name }
    }

    static let now = "2026-12-05T12:00:00Z"
    static let later = "2026-12-06T12:00:00Z"
    static let user = ObjectID().hex
    static let dateMessage = "A date-time is not in RFC 3339 form, such as 2026-01-31T09:00:00Z."

    static func event(
        startAt: String = now, condition: String = #"{"type":"CONTINUOUS_LOGIN","days":1}"#, extra: String = ""
    )
        -> String
    {
        #"{"title":"t","startAt":"\#(startAt)","endAt":"\#(later)","conditions":[\#(condition)]\#(extra)}"#
    }

    static func activity(_ fields: String) -> String { #"{"userId":"\#(user)","type":"LOGIN"\#(fields)}"# }

    static let bodies: [Case] = [
        Case(
            name: "unknown field", path: "/events", body: event(extra: #","colour":"red""#), field: "colour",
            message: "A field is not part of the API."),
        Case(
            name: "unknown field in a condition", path: "/events",
            body: event(condition: #"{"type":"CONTINUOUS_LOGIN","days":1,"extra":2}"#), field: "conditions[0].extra",
            message: "A field is not part of the API."),
        Case(
            name: "unknown condition type", path: "/events", body: event(condition: #"{"type":"NOPE"}"#),
            field: "conditions[0].type", message: "A field has a value that is not allowed."),
        Case(
            name: "missing condition type", path: "/events", body: event(condition: #"{"days":1}"#),
            field: "conditions[0].type", message: "A required field is missing."),
        Case(
            name: "string for an integer", path: "/events",
            body: event(condition: #"{"type":"CONTINUOUS_LOGIN","days":"1"}"#), field: "conditions[0].days",
            message: "A field has the wrong type."),
        Case(
            name: "date-time in words", path: "/events", body: event(startAt: "tomorrow"), field: nil,
            message: dateMessage),
        Case(
            name: "fraction for an integer", path: "/events",
            body: event(condition: #"{"type":"CONTINUOUS_LOGIN","days":1.5}"#), field: nil,
            message: "The request body is not valid JSON, or a number in it is out of range or not a whole number."),
        Case(
            name: "array for an object", path: "/events", body: "[]", field: nil,
            message: "The request body has the wrong JSON type."),
        Case(
            name: "activity without occurredAt", path: "/activities", body: activity(""), field: "occurredAt",
            message: "A required field is missing."),
        Case(
            name: "activity with a bad date-time", path: "/activities", body: activity(#","occurredAt":"nope""#),
            field: nil, message: dateMessage),
        Case(
            name: "batch item with an unknown field", path: "/activities",
            body: #"{"activities":[\#(activity(#","occurredAt":"\#(now)","x":1"#))]}"#, field: "activities[0].x",
            message: "A field is not part of the API."),
        Case(
            name: "batch item with a bad date-time", path: "/activities",
            body: #"{"activities":[\#(activity(#","occurredAt":"2026-13-01T00:00:00Z""#))]}"#, field: nil,
            message: dateMessage),
        Case(
            name: "batch item without userId", path: "/activities",
            body: #"{"activities":[{"type":"LOGIN","occurredAt":"\#(now)"}]}"#, field: "activities[0].userId",
            message: "A required field is missing."),
    ]

    @Test(arguments: bodies) func bodyThatDoesNotDecode(_ test: Case) async throws {
        try await EventHarness.run { harness in
            let token =
                test.path == "/activities" ? try await harness.serviceToken() : try await harness.operatorToken()
            let response = try await harness.request(.post, test.path, token: token, rawBody: test.body)
            #expect(response.status == 400)
            #expect(response.code == "VALIDATION_FAILED")
            #expect(response.details["field"] as? String == test.field)
            #expect(response.message == test.message)
            #expect(try await harness.count("events") == 0)
            #expect(try await harness.count("activities") == 0)
        }
    }

    @Test(arguments: [
        ("/events?activeAt=yesterday", dateMessage),
        ("/audit-logs?from=2026-12-05", dateMessage),
        ("/events?status=SOMETIMES", "A query parameter has an invalid value."),
        ("/events?limit=1.5", "A query parameter has the wrong type."),
    ])
    func queryParameterThatDoesNotDecode(uri: String, message: String) async throws {
        try await EventHarness.run { harness in
            let token = try await EventHarness.token(ObjectID().hex, [.operator, .auditor])
            let response = try await harness.request(.get, uri, token: token)
            #expect(response.status == 400)
            #expect(response.code == "VALIDATION_FAILED")
            #expect(response.message == message)
        }
    }

    /// The answers above tell a query parameter from a body by the method: only `GET`s take
    /// query parameters, and no `GET` takes a body.
    @Test func onlyOperationsWithoutABodyTakeQueryParameters() throws {
        let url = MongoTestEndpoint.repositoryRoot.appendingPathComponent("openapi.yaml")
        let contract = try APIContract(yaml: String(decoding: try Data(contentsOf: url), as: UTF8.self))
        var queried = 0
        for operation in contract.operations {
            let takesQuery = operation.parameters.contains { $0.location == "query" }
            if takesQuery { queried += 1 }
            #expect(!takesQuery || operation.method == .get, "\(operation.operationID) takes query parameters")
            #expect(operation.method != .get || operation.requestBody == nil, "\(operation.operationID) takes a body")
        }
        #expect(queried >= 5)
    }

    @Test func aLongUnknownFieldNameIsCutInTheAnswer() async throws {
        try await EventHarness.run { harness in
            let name = String(repeating: "k", count: 10_000)
            let response = try await harness.request(
                .post, "/events", token: try await harness.operatorToken(),
                rawBody: Self.event(extra: #","\#(name)":1"#))
            #expect(response.status == 400)
            #expect(response.details["field"] as? String == String(repeating: "k", count: 200) + "…")
        }
    }
}
