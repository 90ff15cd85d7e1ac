import Foundation
import Hummingbird
import HummingbirdTesting
import Logging
import PlatformCore
import Testing

private struct Refused: Error, CustomStringConvertible {
    var description: String { "refused" }
}

@Suite struct JSONLogHandlerTests {
    @Test func eachLineIsOneJSONObjectWithTheFixedFieldsFirst() throws {
        let logs = LogCapture()
        let logger = logs.logger(label: "auth")
        logger.info("user registered", metadata: ["user.id": "64f0c0ffee", "attempt": .stringConvertible(2)])

        let lines = logs.captured
        try #require(lines.count == 1)
        #expect(!lines[0].contains("\n"))
        #expect(lines[0].hasPrefix(#"{"ts":""#))
        #expect(lines[0].contains(#","level":"info","label":"auth","msg":"user registered","#))
        let object = try #require(try logs.objects().first)
        #expect(object["user.id"] == "64f0c0ffee")
        #expect(object["attempt"] == "2")
        let timestamp = try #require(object["ts"])
        #expect(timestamp.wholeMatch(of: /\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z/) != nil)
    }

    @Test func awkwardTextIsEscapedAndRoundTrips() throws {
        let logs = LogCapture()
        let awkward = "quote \" backslash \\ newline \n return \r tab \t bell \u{07} nul \u{00} é 😀 </script>"
        logs.logger().warning("constant message", metadata: ["value": .string(awkward)])
        try #require(logs.captured.count == 1)
        #expect(!logs.captured[0].contains("\n"))
        #expect(try logs.objects()[0]["value"] == awkward)
    }

    @Test func nestedMetadataIsFlattenedAndReservedKeysAreKeptApart() throws {
        let logs = LogCapture()
        var logger = logs.logger()
        logger[metadataKey: "service"] = "event"
        logger.error(
            "claim failed",
            metadata: [
                "claim": ["id": "c1", "status": "PENDING"],
                "msg": "not the message",
                "tags": ["a", "b"],
            ]
        )
        let object = try #require(try logs.objects().first)
        #expect(object["msg"] == "claim failed")
        #expect(object["metadata.msg"] == "not the message")
        #expect(object["claim.id"] == "c1")
        #expect(object["claim.status"] == "PENDING")
        #expect(object["service"] == "event")
        #expect(object["level"] == "error")
        #expect(object["tags"] != nil)
    }

    @Test func logLevelFiltersLines() {
        let logs = LogCapture()
        let logger = logs.logger(level: .notice)
        logger.info("dropped")
        logger.notice("kept")
        #expect(logs.captured.count == 1)
    }

    @Test func concurrentLoggingYieldsWholeLines() async throws {
        let logs = LogCapture()
        let logger = logs.logger()
        await withTaskGroup(of: Void.self) { group in
            for task in 0..<8 {
                group.addTask {
                    for index in 0..<200 {
                        logger.info("tick", metadata: ["task": "\(task)", "index": "\(index)"])
                    }
                }
            }
        }
        let objects = try logs.objects()
        #expect(objects.count == 1600)
        #expect(Set(objects.map { "\($0["task"]!)/\($0["index"]!)" }).count == 1600)
    }

    @Test func everyLineOfARequestCarriesItsRequestID() async throws {
        let logs = LogCapture()
        let router = Router(context: PlatformRequestContext.self)
        router.addPlatformMiddleware()
        router.get("work") { _, context -> String in
            context.logger.info("step one")
            context.logger.info("step two")
            throw Refused()
        }
        try await testApplication(router, logger: logs.logger()).test(.router) { client in
            let response = try await client.execute(uri: "/work", method: .get, headers: [.xRequestID: "req-log-7"])
            #expect(response.status == .internalServerError)
        }
        let objects = try logs.objects()
        let requestLines = objects.filter { ["step one", "step two", "request failed"].contains($0["msg"]) }
        #expect(requestLines.count == 3)
        #expect(requestLines.allSatisfy { $0["request.id"] == "req-log-7" })
    }
}
