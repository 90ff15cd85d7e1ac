import HTTPTypes
import Hummingbird
import HummingbirdTesting
import Testing

@testable import PlatformCore

private func requestIDRouter() -> Router<PlatformRequestContext> {
    let router = Router(context: PlatformRequestContext.self)
    router.addPlatformMiddleware()
    router.get("id") { _, context in
        context.requestID
    }
    router.get("fail") { _, _ -> String in
        throw APIError(.forbidden)
    }
    return router
}

@Suite struct RequestIDTests {
    @Test(arguments: ["abc", "Req-1.2:3_x", String(repeating: "a", count: 128)])
    func saneRequestIDIsEchoed(requestID: String) async throws {
        try await testApplication(requestIDRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/id", method: .get, headers: [.xRequestID: requestID])
            #expect(response.headers[.xRequestID] == requestID)
            #expect(response.text == requestID)
        }
    }

    @Test(arguments: [
        "abc def",  // a space: also what a CR/LF in a header value becomes on the wire
        "a,b",  // two X-Request-Id headers joined
        String(repeating: "a", count: 129),
        String(repeating: "x", count: 200),
        "é",
        "{\"x\"}",
    ])
    func insaneRequestIDIsReplaced(requestID: String) async throws {
        try await testApplication(requestIDRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/id", method: .get, headers: [.xRequestID: requestID])
            let echoed = try #require(response.headers[.xRequestID])
            #expect(echoed != requestID)
            #expect(isGenerated(echoed))
            #expect(response.text == echoed)
        }
    }

    @Test func requestIDWithLineBreaksIsReplaced() async throws {
        // HTTPTypes turns CR/LF into spaces in a lenient value; the server never sees a raw one.
        let headers = HTTPFields([HTTPField(name: .xRequestID, lenientValue: Array("abc\r\nX-Injected: 1".utf8))])
        try await testApplication(requestIDRouter()).test(.router) { client in
            let response = try await client.execute(uri: "/id", method: .get, headers: headers)
            let echoed = try #require(response.headers[.xRequestID])
            #expect(isGenerated(echoed))
        }
        #expect(RequestIdentifier.sanitized("abc\r\nX-Injected: 1") == nil)
        #expect(RequestIdentifier.sanitized("abc\n") == nil)
        #expect(RequestIdentifier.sanitized("") == nil)
        #expect(RequestIdentifier.sanitized(nil) == nil)
    }

    @Test func missingRequestIDIsGeneratedAndDiffersPerRequest() async throws {
        try await testApplication(requestIDRouter()).test(.router) { client in
            let first = try await client.execute(uri: "/id", method: .get)
            let second = try await client.execute(uri: "/id", method: .get)
            let firstID = try #require(first.headers[.xRequestID])
            let secondID = try #require(second.headers[.xRequestID])
            #expect(isGenerated(firstID))
            #expect(firstID == first.text)
            #expect(firstID != secondID)
        }
    }

    @Test func generatedIDsAreDistinctAcrossTasksAndUseEveryHexDigit() async throws {
        let ids = await withTaskGroup(of: [String].self) { group in
            for _ in 0..<8 {
                group.addTask { (0..<5_000).map { _ in RequestIdentifier.generate() } }
            }
            return await group.reduce(into: [String]()) { $0 += $1 }
        }
        #expect(ids.allSatisfy(isGenerated))
        #expect(Set(ids).count == ids.count)
        // Every digit turns up in every position: no position is stuck (a broken generator
        // or a badly padded hex rendering would show here).
        for position in 0..<32 {
            let digits = Set(ids.map { $0.utf8[$0.utf8.index($0.utf8.startIndex, offsetBy: position)] })
            #expect(digits.count == 16, "position \(position)")
        }
    }

    /// The digits are those of the 128 bits, high first, zero-padded, lowercase: the
    /// branch-free rendering agrees with the standard library's for edge and random values.
    @Test func generatedIDsAreTheHexDigitsOfTheirBits() {
        func expected(_ high: UInt64, _ low: UInt64) -> String {
            [high, low].map { value in
                let digits = String(value, radix: 16)
                return String(repeating: "0", count: 16 - digits.count) + digits
            }.joined()
        }
        var random = SystemRandomNumberGenerator()
        let edges: [(UInt64, UInt64)] = [
            (0, 0), (.max, .max), (0x0123_4567_89AB_CDEF, 0xFEDC_BA98_7654_3210), (9, 10), (0xA << 60, 0x9 << 60),
        ]
        for (high, low) in edges + (0..<1_000).map({ _ in (random.next(), random.next()) }) {
            #expect(GeneratedRequestID(high: high, low: low).string == expected(high, low))
        }
    }

    @Test func errorResponseCarriesTheSameIDInHeaderAndBody() async throws {
        try await testApplication(requestIDRouter()).test(.router) { client in
            let supplied = try await client.execute(uri: "/fail", method: .get, headers: [.xRequestID: "trace-42"])
            #expect(supplied.status == .forbidden)
            #expect(supplied.headers[.xRequestID] == "trace-42")
            #expect(try supplied.envelope().requestId == "trace-42")

            let generated = try await client.execute(uri: "/fail", method: .get)
            let id = try #require(generated.headers[.xRequestID])
            #expect(try generated.envelope().requestId == id)
        }
    }

    private func isGenerated(_ id: String) -> Bool {
        id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }
    }
}
