import HTTPTypes
import NIOCore
import NIOEmbedded
import NIOHTTP1
import Testing

@testable import Gateway

/// The byte-level path's parsers: the subset of HTTP/1.1 request heads it reads itself
/// (every head it accepts must read the same through NIO's parser, which serves every
/// other request), upstream answer heads, and the end of chunked bodies.
@Suite struct WireParserTests {
    // MARK: Request heads

    @Test(arguments: [
        ("GET /wallet/me HTTP/1.1\r\nHost: a\r\n\r\n", "parsed"),
        ("DELETE /x?y=%41 HTTP/1.1\r\n\r\n", "parsed"),
        ("PATCH /x HTTP/1.1\r\nX-Empty:\r\nTab:\tv\r\n\r\n", "parsed"),
        ("POST /x HTTP/1.1\r\n\r\n", "parsed"),
        ("PUT /x HTTP/1.1\r\n\r\n", "parsed"),
        ("GETS /x HTTP/1.1\r\n\r\n", "refused"),  // a method's letters, then more
        ("PUTT /x HTTP/1.1\r\n\r\n", "refused"),
        ("PATCHY / HTTP/1.1\r\n\r\n", "refused"),
        ("DELETE\t/x HTTP/1.1\r\n\r\n", "refused"),
        ("GET / HTTP/1.2\r\n\r\n", "refused"),
        ("GET / HTTP/1.1\n\r\n\r\n", "refused"),
        ("GET / HTTP/1.11\r\n\r\n", "refused"),
        ("GET / HTTP/1.1\r\r\n\r\n", "refused"),
        ("GET /wallet/me HTTP/1.1\r\nHost: a\r\n", "incomplete"),
        ("GE", "incomplete"),
        ("GET /x HTTP/1.", "incomplete"),
        ("\r\nGET / HTTP/1.1\r\n\r\n", "refused"),  // empty line first
        ("get / HTTP/1.1\r\n\r\n", "refused"),  // methods are case-sensitive
        ("HEAD / HTTP/1.1\r\n\r\n", "refused"),  // HEAD is the router's
        ("OPTIONS * HTTP/1.1\r\n\r\n", "refused"),
        ("GET http://a/ HTTP/1.1\r\n\r\n", "refused"),  // absolute-form
        ("GET / HTTP/1.0\r\n\r\n", "refused"),
        ("GET /  HTTP/1.1\r\n\r\n", "refused"),  // two spaces
        ("GET /a b HTTP/1.1\r\n\r\n", "refused"),
        ("GET /%zz HTTP/1.1\r\n\r\n", "refused"),
        ("GET /%4 HTTP/1.1\r\n\r\n", "refused"),
        ("GET /\" HTTP/1.1\r\n\r\n", "refused"),
        ("GET / HTTP/1.1\nHost: a\r\n\r\n", "refused"),  // bare LF
        ("GET / HTTP/1.1\r\nHost: a\n\r\n", "refused"),
        ("GET / HTTP/1.1\r\nHost : a\r\n\r\n", "refused"),  // space before the colon
        ("GET / HTTP/1.1\r\n Host: a\r\n\r\n", "refused"),  // obs-fold / leading space
        ("GET / HTTP/1.1\r\nA: b\r\n c\r\n\r\n", "refused"),  // obs-fold
        ("GET / HTTP/1.1\r\n: b\r\n\r\n", "refused"),  // empty name
        ("GET / HTTP/1.1\r\nA: caf\u{E9}\r\n\r\n", "refused"),  // obs-text
        ("GET / HTTP/1.1\r\nA: b\u{7F}\r\n\r\n", "refused"),
        ("GET / HTTP/1.1\r\nA: b\rc\r\n\r\n", "refused"),  // bare CR
        ("GET / HTTP/1.1\r\n\r\r\n", "refused"),
    ])
    func requestHeadsOutsideTheSubsetAreRefused(head: String, expected: String) {
        let outcome = Array(head.utf8).withUnsafeBytes { WireRequestHead.parse($0) }
        switch outcome {
        case .parsed: #expect(expected == "parsed", "\(head.debugDescription)")
        case .incomplete: #expect(expected == "incomplete", "\(head.debugDescription)")
        case .refused: #expect(expected == "refused", "\(head.debugDescription)")
        }
    }

    @Test func aHeadTooLongIsRefusedAndFieldsAreTrimmed() throws {
        let long = Array("GET / HTTP/1.1\r\nA: \(String(repeating: "b", count: WireRequestHead.maximumLength))".utf8)
        #expect(long.withUnsafeBytes { WireRequestHead.parse($0) } == .refused)

        let trailing = Array("GET / HTTP/1.1\r\nName: value\t\r\n\r\n".utf8)
        #expect(trailing.withUnsafeBytes { WireRequestHead.parse($0) } == .refused)

        let bytes = Array("PUT /p?q HTTP/1.1\r\nName: \t spaced value\r\nOther:x\r\n\r\nBODY".utf8)
        guard case .parsed(let head) = bytes.withUnsafeBytes({ WireRequestHead.parse($0) }) else {
            Issue.record("not parsed")
            return
        }
        #expect(head.method == .put)
        #expect(String(decoding: bytes[head.target], as: UTF8.self) == "/p?q")
        #expect(head.fields.map { String(decoding: bytes[$0.value], as: UTF8.self) } == ["spaced value", "x"])
        #expect(String(decoding: bytes[head.length...], as: UTF8.self) == "BODY")
    }

    /// 2,000 mutated heads: whatever the byte-level parser accepts, NIO's parser reads
    /// with the same method, target and fields, and ends at the same byte (the next request
    /// starts where both say it does); every shorter prefix of an accepted head waits.
    @Test func everyHeadTheSubsetAcceptsReadsTheSameThroughNIO() throws {
        var random = SplitMix64(seed: 0x5EED_0F_0B17E5)
        let seeds = [
            "GET /wallet/me HTTP/1.1\r\nHost: gateway\r\nAuthorization: Bearer a.b.c\r\nX-Request-Id: r1\r\n\r\n",
            "POST /auth/login?x=%41 HTTP/1.1\r\nContent-Length: 2\r\nContent-Type: application/json\r\n\r\n{}",
            "DELETE /events/1 HTTP/1.1\r\nConnection: keep-alive\r\nX-Forwarded-For: 10.0.0.1\r\n\r\n",
        ].map { Array($0.utf8) }
        let alphabet = Array(" \t\r\n:/%?aZ09-_~\"\\,;".utf8) + [0x00, 0x7F, 0x80, 0xFF]
        var accepted = 0
        for round in 0..<2_000 {
            var head = seeds[round % seeds.count]
            for _ in 0...(random.next() % 3) {
                let position = Int(random.next() % UInt64(head.count))
                let byte = alphabet[Int(random.next() % UInt64(alphabet.count))]
                switch random.next() % 3 {
                case 0: head[position] = byte
                case 1: head.insert(byte, at: position)
                default: head.remove(at: position)
                }
            }
            guard case .parsed(let parsed) = head.withUnsafeBytes({ WireRequestHead.parse($0) }) else { continue }
            accepted += 1
            try expectNIOReadsTheSame(head, as: parsed)
            for cut in stride(from: 0, to: parsed.length, by: 7) {
                #expect(Array(head[..<cut]).withUnsafeBytes { WireRequestHead.parse($0) } == .incomplete)
            }
        }
        // The mutations must leave enough heads valid for the comparison to mean something.
        #expect(accepted > 250)
    }

    private func expectNIOReadsTheSame(_ bytes: [UInt8], as head: WireRequestHead) throws {
        let names = head.fields.map { String(decoding: bytes[$0.name], as: UTF8.self).lowercased() }
        let lengths = head.fields.indices.filter { names[$0] == "content-length" }.map {
            String(decoding: bytes[head.fields[$0].value], as: UTF8.self)
        }
        // Framing is the planner's call: it takes one all-digit Content-Length, no
        // Transfer-Encoding. Outside that NIO may read a body differently, and the wire
        // path never takes such a request.
        guard !names.contains("transfer-encoding"), lengths.count <= 1,
            lengths.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { $0 >= 48 && $0 <= 57 } && $0.count < 6 })
        else { return }
        let bodyLength = lengths.first.flatMap { Int($0) } ?? 0
        var input = bytes[..<head.length] + [UInt8](repeating: UInt8(ascii: "b"), count: bodyLength)
        input += Array("GET /next HTTP/1.1\r\n\r\n".utf8)

        let channel = EmbeddedChannel()
        defer { _ = try? channel.finish() }
        try channel.pipeline.syncOperations.addHandler(ByteToMessageHandler(HTTPRequestDecoder()))
        try channel.writeInbound(ByteBuffer(bytes: input))
        var parts: [HTTPServerRequestPart] = []
        while let part = try channel.readInbound(as: HTTPServerRequestPart.self) { parts.append(part) }

        let text = String(decoding: bytes[..<head.length], as: UTF8.self).debugDescription
        guard case .head(let decoded) = parts.first else {
            Issue.record("NIO read no head from \(text)")
            return
        }
        #expect(decoded.method.rawValue == head.method.rawValue, "\(text)")
        #expect(decoded.uri == String(decoding: bytes[head.target], as: UTF8.self), "\(text)")
        #expect(decoded.version == .http1_1, "\(text)")
        let fields = head.fields.map {
            [String(decoding: bytes[$0.name], as: UTF8.self), String(decoding: bytes[$0.value], as: UTF8.self)]
        }
        #expect(decoded.headers.map { [$0.name, $0.value] } == fields, "\(text)")
        let body = parts.reduce(0) { count, part in
            if case .body(let buffer) = part { return count + buffer.readableBytes }
            return count
        }
        #expect(body == bodyLength, "\(text)")
        let heads = parts.compactMap { part -> String? in
            if case .head(let head) = part { return head.uri }
            return nil
        }
        #expect(heads.last == "/next" && heads.count == 2, "\(text)")
    }

    // MARK: Upstream answers

    @Test func answerHeadsSayHowTheirBodyEnds() throws {
        func framing(_ text: String) -> WireResponseHead.Framing? {
            guard case .parsed(let head) = Array(text.utf8).withUnsafeBytes({ WireResponseHead.parse($0) }) else {
                return nil
            }
            return head.framing
        }
        #expect(framing("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n") == .length(15))
        #expect(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: Chunked\r\n\r\n") == .chunked)
        #expect(framing("HTTP/1.1 200 OK\r\n\r\n") == .untilClose)
        #expect(framing("HTTP/1.1 204 No Content\r\nContent-Length: 3\r\n\r\n") == WireResponseHead.Framing.none)
        #expect(framing("HTTP/1.1 100 Continue\r\n\r\n") == WireResponseHead.Framing.none)
        // Ambiguous or unreadable framing is a 502, never a guess.
        #expect(framing("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nContent-Length: 2\r\n\r\n") == nil)
        #expect(framing("HTTP/1.1 200 OK\r\nContent-Length: 1\r\nTransfer-Encoding: chunked\r\n\r\n") == nil)
        #expect(framing("HTTP/1.1 200 OK\r\nTransfer-Encoding: gzip, chunked\r\n\r\n") == nil)
        #expect(framing("HTTP/1.1 200 OK\r\nContent-Length: -1\r\n\r\n") == nil)
        #expect(framing("HTTP/1.0 200 OK\r\n\r\n") == nil)
        #expect(framing("HTTP/1.1 2000 OK\r\n\r\n") == nil)

        let closing = Array("HTTP/1.1 200 OK\r\nConnection: close, X-Secret\r\nContent-Length: 0\r\n\r\n".utf8)
        guard case .parsed(let head) = closing.withUnsafeBytes({ WireResponseHead.parse($0) }) else {
            Issue.record("not parsed")
            return
        }
        #expect(!head.keepsAlive)
        #expect(head.connectionNamed == ["x-secret"])
    }

    @Test func theEndOfAChunkedBodyIsFoundHoweverItsBytesArrive() throws {
        let body = Array(
            "5;ext=1\r\nhello\r\n1A\r\n\(String(repeating: "x", count: 26))\r\n0\r\nTrailer: t\r\n\r\n".utf8)
        let next = Array("HTTP/1.1 200 OK\r\n".utf8)
        var random = SplitMix64(seed: 42)
        for _ in 0..<200 {
            var scanner = ChunkedBodyScanner()
            var offset = 0
            let stream = body + next
            while !scanner.isDone, offset < stream.count {
                let size = 1 + Int(random.next() % 9)
                let piece = Array(stream[offset..<min(offset + size, stream.count)])
                offset += try piece.withUnsafeBytes { try scanner.scan($0) }
            }
            #expect(scanner.isDone)
            #expect(offset == body.count)
        }
        for broken in ["5\r\nhello\n", "x\r\n", "\r\n", "5\r\nhelloo\r\n", "0\r\n\n"] {
            var scanner = ChunkedBodyScanner()
            #expect(throws: ChunkedBodyScanner.Failure.self, "\(broken.debugDescription)") {
                _ = try Array(broken.utf8).withUnsafeBytes { try scanner.scan($0) }
            }
        }
    }

    @Test func fieldNamesAreFoundInAnyCaseAndOnlyWhole() {
        let table = WireNameTable(["content-length": 1, "te": 2, "connection": 3])
        let cases: [(String, Int?)] = [
            ("content-length", 1), ("Content-Length", 1), ("CONTENT-LENGTH", 1), ("TE", 2), ("Connection", 3),
            ("content-lengthx", nil), ("content-lengt", nil), ("t", nil), ("", nil), ("content_length", nil),
            ("a-very-long-field-name-longer-than-any", nil),
        ]
        for (name, expected) in cases {
            let bytes = Array(name.utf8)
            let found = bytes.withUnsafeBytes { table.value($0, 0..<bytes.count) }
            #expect(found == expected, "\(name)")
        }
    }

    @Test func theFirstByteOutsidePrintableASCIIIsFoundInAWord() {
        var random = SplitMix64(seed: 9)
        let nonPrintable = Array(UInt8(0)..<0x20) + Array(UInt8(0x7F)...0xFF)
        for position in 0..<8 {
            for byte in nonPrintable {
                var word = [UInt8](repeating: 0, count: 8)
                for index in 0..<8 {
                    // Printable before the position; anything at all after it.
                    word[index] =
                        index < position ? UInt8(0x20 + random.next() % 95) : UInt8(truncatingIfNeeded: random.next())
                }
                word[position] = byte
                let found = word.withUnsafeBytes {
                    WireFieldLine.nonPrintableBytes(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))
                }
                #expect(found != 0 && found.trailingZeroBitCount / 8 == position, "\(word)")
            }
        }
        for word in ["Bearer e", "Sat, 05 ", "        ", "~ !/0a }"] {
            let bits = Array(word.utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(WireFieldLine.nonPrintableBytes(UInt64(littleEndian: bits)) == 0, "\(word)")
        }
    }

    @Test func theFirstByteThatIsNotALetterIsFoundInAWord() {
        var random = SplitMix64(seed: 10)
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        let others = (UInt8(0)...0xFF).filter { !letters.contains($0) }
        for position in 0..<8 {
            for byte in others {
                var word = [UInt8](repeating: 0, count: 8)
                for index in 0..<8 {
                    // Letters before the position; anything at all after it.
                    word[index] =
                        index < position
                        ? letters[Int(random.next() % UInt64(letters.count))] : UInt8(truncatingIfNeeded: random.next())
                }
                word[position] = byte
                let found = word.withUnsafeBytes {
                    WireFieldLine.nonLetterBytes(UInt64(littleEndian: $0.loadUnaligned(as: UInt64.self)))
                }
                #expect(found != 0 && found.trailingZeroBitCount / 8 == position, "\(word)")
            }
        }
        for word in ["AuthoriZ", "abcdefgh", "ZYXWVUTS", "zAzAzAzA"] {
            let bits = Array(word.utf8).withUnsafeBytes { $0.loadUnaligned(as: UInt64.self) }
            #expect(WireFieldLine.nonLetterBytes(UInt64(littleEndian: bits)) == 0, "\(word)")
        }
    }

    /// 5,000 field lines with names of 0 to 24 bytes, mostly letters, and values of 0 to 60
    /// bytes, mostly printable ASCII (spaces among them), each with a few bytes of every other
    /// kind at random places: the word scans of `WireFieldLine.read` (names eight bytes at a
    /// time, values sixteen then eight) agree with a reader that looks at one byte at a time, on both
    /// rules, on the whole line and on every prefix of it.
    @Test func fieldLinesReadTheSameAsByteByByte() {
        var random = SplitMix64(seed: 0xF1E1D)
        let rare = Array(" \t\r\n:".utf8) + [0x00, 0x1F, 0x7F, 0x80, 0xFF]
        let letters = Array("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ".utf8)
        // Token characters that are not letters, and bytes next to the letters' ranges (or
        // that become letters, or `-`, with bit 5 set).
        let rareInNames = Array("-_!~09@[`{\r\n :\t".utf8) + [0x00, 0x7F, 0x80, 0xC1, 0xDA, 0xFF]
        for _ in 0..<5_000 {
            var line: [UInt8] = []
            for _ in 0..<Int(random.next() % 25) {
                let roll = random.next()
                line.append(
                    roll % 8 == 0
                        ? rareInNames[Int(roll / 8 % UInt64(rareInNames.count))]
                        : letters[Int(roll / 8 % UInt64(letters.count))])
            }
            line += Array(": ".utf8)
            let length = Int(random.next() % 61)
            for _ in 0..<length {
                let roll = random.next()
                line.append(roll % 16 == 0 ? rare[Int(roll / 16 % UInt64(rare.count))] : UInt8(0x20 + roll / 16 % 95))
            }
            line += Array("\r\n".utf8)
            for end in [line.count] + Array(stride(from: 0, to: line.count, by: 5)) {
                let bytes = Array(line[..<end])
                for strict in [true, false] {
                    let read = bytes.withUnsafeBytes { Self.summary(WireFieldLine.read($0, at: 0, strict: strict)) }
                    #expect(read == Self.readByteByByte(bytes, strict: strict), "\(bytes) strict: \(strict)")
                }
            }
        }
    }

    /// A field line accepted before (`KnownFieldLine`) is taken again as it was read, at any
    /// place in a head, and only with its very bytes: with any one byte changed, the head
    /// reads as it does without the known line (refused where that byte is not allowed).
    @Test func aKnownFieldLineReadsAsItWasReadAndOnlyWhenTheSame() throws {
        let line = "Authorization:  Bearer eyJhbGciOiJFUzI1NiJ9.eyJzdWIiOiJ1In0.c2lnbmF0dXJl\r\n"
        let first = Array("GET /wallet/me HTTP/1.1\r\nHost: a\r\n\(line)\r\n".utf8)
        let known = try first.withUnsafeBytes { bytes in
            let outcome = WireRequestHead.parse(bytes)
            guard case .parsed(let head) = outcome else { return try #require(nil as KnownFieldLine?, "\(outcome)") }
            return try #require(KnownFieldLine(head.fields[1], in: bytes))
        }
        func expectSameOutcome(_ text: [UInt8], _ comment: Comment) {
            text.withUnsafeBytes { bytes in
                var fields: [WireRequestHead.Field] = []
                let withKnown = WireRequestHead.parse(bytes, reusing: &fields, knownLine: known)
                #expect(withKnown == WireRequestHead.parse(bytes), comment)
            }
        }
        for text in [
            "GET /wallet/me HTTP/1.1\r\nHost: a\r\n\(line)\r\n", "GET /a HTTP/1.1\r\n\(line)X-Other: 1\r\n\r\n",
            "GET /a HTTP/1.1\r\n\(line)\(line)\r\n", "GET /a HTTP/1.1\r\nX: 1\r\n\(line)",
        ] {
            expectSameOutcome(Array(text.utf8), "\(text)")
        }
        let replacements: [UInt8] = [
            0x00, 0x09, 0x20, 0x7F, 0x80, UInt8(ascii: "x"), UInt8(ascii: ":"), UInt8(ascii: "\r"),
        ]
        for position in 0..<line.utf8.count {
            for replacement in replacements {
                var changed = Array(line.utf8)
                guard changed[position] != replacement else { continue }
                changed[position] = replacement
                expectSameOutcome(
                    Array("GET /a HTTP/1.1\r\n".utf8) + changed + Array("\r\n".utf8), "byte \(position): \(replacement)"
                )
            }
        }
    }

    private static func summary(_ outcome: WireFieldLine.Outcome) -> String {
        switch outcome {
        case .incomplete: "incomplete"
        case .invalid: "invalid"
        case .field(let field, let next): "field \(field.name) \(field.value) next \(next)"
        case .end(let next): "end \(next)"
        }
    }

    /// The rule of `WireFieldLine.read`, one byte at a time: a name of token characters and
    /// `:`, spaces and tabs, then value bytes up to CR (tab, 0x20–0x7E, and obs-text unless
    /// `strict`), trailing whitespace trimmed (refused when `strict`), CRLF.
    private static func readByteByByte(_ bytes: [UInt8], strict: Bool) -> String {
        var index = 0
        guard !bytes.isEmpty else { return "incomplete" }
        if bytes[0] == UInt8(ascii: "\r") {
            guard bytes.count > 1 else { return "incomplete" }
            return bytes[1] == UInt8(ascii: "\n") ? "end 2" : "invalid"
        }
        while index < bytes.count, WireRequestHead.tokenBytes[Int(bytes[index])] { index += 1 }
        guard index < bytes.count else { return "incomplete" }
        guard index > 0, bytes[index] == UInt8(ascii: ":") else { return "invalid" }
        let name = 0..<index
        index += 1
        while index < bytes.count, bytes[index] == UInt8(ascii: " ") || bytes[index] == UInt8(ascii: "\t") {
            index += 1
        }
        let valueStart = index
        var valueEnd = index
        while index < bytes.count, bytes[index] != UInt8(ascii: "\r") {
            let byte = bytes[index]
            let allowed = byte == UInt8(ascii: "\t") || (byte >= 0x20 && byte != 0x7F && (!strict || byte < 0x80))
            guard allowed else { return "invalid" }
            index += 1
            if byte != UInt8(ascii: " ") && byte != UInt8(ascii: "\t") { valueEnd = index }
        }
        guard index + 1 < bytes.count else { return "incomplete" }
        guard bytes[index + 1] == UInt8(ascii: "\n"), !strict || valueEnd == index else { return "invalid" }
        return "field \(name) \(valueStart..<valueEnd) next \(index + 2)"
    }

    // MARK: Head writing

    @Test func fieldLinesAreCopiedAsTheyCameOrRebuiltTheSameWay() {
        let cases: [(line: String, strict: Bool, written: String)] = [
            ("Accept: */*\r\n", true, "Accept: */*\r\n"),
            ("Accept:*/*\r\n", true, "Accept: */*\r\n"),
            ("Accept: \t */*\r\n", true, "Accept: */*\r\n"),
            ("X-Empty:\r\n", true, "X-Empty: \r\n"),
            ("X-Empty: \r\n", true, "X-Empty: \r\n"),
            ("Server: a b \t\r\n", false, "Server: a b\r\n"),
        ]
        for (line, strict, written) in cases {
            let bytes = Array(line.utf8)
            var memory = [UInt8](repeating: 0, count: 64)
            let count = bytes.withUnsafeBytes { head -> Int? in
                guard case .field(let field, _) = WireFieldLine.read(head, at: 0, strict: strict) else { return nil }
                return memory.withUnsafeMutableBytes { memory in
                    var out = WireHeadWriter(memory)
                    out.append(field, of: head)
                    return out.count
                }
            }
            #expect(
                count.map { String(decoding: memory[0..<$0], as: UTF8.self) } == written, "\(line.debugDescription)")
        }
    }

    @Test func aHeadWriterNeverWritesPastItsMemoryAndSaysWhenAPieceDidNotFit() {
        var memory = [UInt8](repeating: 0xEE, count: 16)
        let (count, overflowed) = memory.withUnsafeMutableBytes { bytes in
            var out = WireHeadWriter(UnsafeMutableRawBufferPointer(rebasing: bytes[0..<12]))
            out.append("GET ")
            out.append(decimal: 0)
            out.append(decimal: 4_096)
            out.append("/xyz")  // does not fit: dropped whole
            out.append("!")  // nor does anything after
            return (out.count, out.overflowed)
        }
        #expect(count == 9 && overflowed)
        #expect(Array(memory[0..<9]) == Array("GET 04096".utf8))
        #expect(memory[9...].allSatisfy { $0 == 0xEE })
    }
}

/// A small deterministic generator for the fuzz rounds (the same cases on every run).
struct SplitMix64 {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var value = state
        value = (value ^ (value >> 30)) &* 0xBF58_476D_1CE4_E5B9
        value = (value ^ (value >> 27)) &* 0x94D0_49BB_1331_11EB
        return value ^ (value >> 31)
    }
}
