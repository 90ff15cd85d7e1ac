public import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// An HTTP/1.1 answer read off a raw TCP connection: what a server wrote, byte for byte,
/// for requests an HTTP client library refuses to send (CR or LF inside a header value,
/// folded lines, NUL bytes).
public struct RawReply: Sendable {
    /// The numeric status of the status line.
    public var status: Int
    /// Header fields in order, names as sent.
    public var headers: [HeaderField]
    public var body: Data
    /// Whether the server closed the connection (rather than the read timing out or the
    /// answer's length ending it).
    public var closedByServer = false

    public struct HeaderField: Sendable {
        public var name: String
        public var value: String
    }

    /// The values of `name` (case-insensitive).
    public func values(_ name: String) -> [String] {
        headers.filter { $0.name.lowercased() == name.lowercased() }.map(\.value)
    }

    /// The envelope's `error` object, when the body is one.
    public var envelope: [String: Any]? {
        guard let object = try? JSONSerialization.jsonObject(with: body) as? [String: Any] else { return nil }
        return object["error"] as? [String: Any]
    }

    /// Parses `bytes` as one response; `nil` until the head is complete.
    public static func parse(_ bytes: [UInt8]) -> (reply: RawReply, complete: Bool)? {
        let separator: [UInt8] = [13, 10, 13, 10]
        guard let end = bytes.indices.dropLast(3).first(where: { Array(bytes[$0..<$0 + 4]) == separator }) else {
            return nil
        }
        let head = String(decoding: bytes[..<end], as: UTF8.self).components(separatedBy: "\r\n")
        let statusParts = head[0].split(separator: " ")
        guard statusParts.count >= 2, let status = Int(statusParts[1]) else { return nil }
        let headers = head.dropFirst().compactMap { line -> HeaderField? in
            guard let colon = line.firstIndex(of: ":") else { return nil }
            return HeaderField(
                name: String(line[..<colon]),
                value: line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces))
        }
        let body = Data(bytes[(end + 4)...])
        let reply = RawReply(status: status, headers: headers, body: body)
        let length = reply.values("Content-Length").first.flatMap(Int.init)
        return (reply, length.map { body.count >= $0 } ?? false)
    }
}

/// One request written as raw bytes to a loopback port, and the answer read back.
public enum RawHTTP {
    /// Sends `request` to `127.0.0.1:port` and reads one response (until its
    /// `Content-Length` is complete or the server closes the connection).
    /// - Throws: `TestSupportError` when nothing that parses as a response arrives in `timeout`.
    /// - Parameter halfClose: Shut the sending side after the request (`shutdown(SHUT_WR)`),
    ///   as some clients do, then read the answer.
    public static func exchange(
        port: Int, _ request: [UInt8], timeout: Int = 10, halfClose: Bool = false
    )
        async throws -> RawReply
    {
        try await onOwnThread { try exchangeBlocking(port: port, request, timeout: timeout, halfClose: halfClose) }
    }

    /// Sends `requests` back to back on one connection (HTTP/1.1 pipelining) and reads
    /// `count` responses, in the order the server wrote them.
    /// - Throws: `TestSupportError` when fewer complete responses arrive in `timeout`.
    public static func pipelined(
        port: Int, _ requests: [[UInt8]], count: Int, timeout: Int = 10
    ) async throws
        -> [RawReply]
    {
        try await onOwnThread { try pipelinedBlocking(port: port, requests, count: count, timeout: timeout) }
    }

    private static func pipelinedBlocking(
        port: Int, _ requests: [[UInt8]], count: Int, timeout: Int
    ) throws
        -> [RawReply]
    {
        let connection = try RawConnection(port: port, timeout: timeout)
        connection.send(requests.flatMap { $0 })
        return try connection.replies(count)
    }

    /// Sends a request in `parts`, pausing `pause` seconds between them (a slow client),
    /// and reads one response — on a Dispatch thread, never blocking the Swift
    /// concurrency pool the servers under test run on.
    public static func exchange(
        port: Int, parts: [[UInt8]], pause: TimeInterval, timeout: Int = 10
    ) async throws
        -> RawReply
    {
        try await onOwnThread {
            let socket = try LoopbackSocket.connect(port: port, timeout: timeout)
            defer { close(socket) }
            for (index, part) in parts.enumerated() {
                if index > 0 { Thread.sleep(forTimeInterval: pause) }
                _ = LoopbackSocket.sendAll(socket, part)
            }
            return try readReply(socket, port: port)
        }
    }

    /// Sends `requests` one at a time on one connection, each once the answer to the one
    /// before has arrived and `pause` seconds have passed, and reads their answers.
    /// - Throws: `TestSupportError` when an answer does not arrive in `timeout`, or the
    ///   connection ends first.
    public static func oneByOne(
        port: Int, _ requests: [[UInt8]], pause: TimeInterval, timeout: Int = 10
    ) async throws
        -> [RawReply]
    {
        try await onOwnThread {
            let socket = try LoopbackSocket.connect(port: port, timeout: timeout)
            defer { close(socket) }
            var replies: [RawReply] = []
            for (index, request) in requests.enumerated() {
                if index > 0 { Thread.sleep(forTimeInterval: pause) }
                guard LoopbackSocket.sendAll(socket, request) else {
                    throw TestSupportError("the connection ended before request \(index + 1)")
                }
                replies.append(try readReply(socket, port: port))
            }
            return replies
        }
    }

    /// Connects to `port`, sends `request` (if any) and reads its answer, then sends
    /// nothing more and waits up to `limit` seconds for the server to close the connection:
    /// the seconds that took, or `nil` if it was still open.
    public static func secondsUntilClosedWhenSilent(
        port: Int, limit: Int, after request: [UInt8]? = nil
    ) async throws -> Double? {
        try await onOwnThread {
            // The server's clock may start at the connection: so does this one.
            var start = Date()
            let socket = try LoopbackSocket.connect(port: port, timeout: limit)
            defer { close(socket) }
            if let request {
                LoopbackSocket.sendAll(socket, request)
                _ = try readReply(socket, port: port)
                start = Date()
            }
            var byte: UInt8 = 0
            return recv(socket, &byte, 1, 0) == 0 ? Date().timeIntervalSince(start) : nil
        }
    }

    /// Runs blocking socket work on a thread of its own: Dispatch's global queues are as
    /// wide as the cores, so a few tests blocked in `recv` there would hold up unrelated
    /// work of the servers under test.
    public static func onOwnThread<Value: Sendable>(
        _ body: @escaping @Sendable () throws -> Value
    ) async throws
        -> Value
    {
        try await withCheckedThrowingContinuation { continuation in
            Thread.detachNewThread { continuation.resume(with: Result { try body() }) }
        }
    }

    /// A request of `lines` (the request line and header fields, each sent as given, joined
    /// with CRLF) and `body`.
    public static func request(_ lines: [String], body: [UInt8] = []) -> [UInt8] {
        Array((lines.joined(separator: "\r\n") + "\r\n\r\n").utf8) + body
    }

    private static func exchangeBlocking(
        port: Int, _ request: [UInt8], timeout: Int, halfClose: Bool
    ) throws
        -> RawReply
    {
        let socket = try LoopbackSocket.connect(port: port, timeout: timeout)
        defer { close(socket) }
        // The server may answer and close before it has read everything (e.g. an oversized
        // header): a failed send still leaves its answer to read.
        _ = LoopbackSocket.sendAll(socket, request)
        if halfClose { shutdown(socket, Int32(SHUT_WR)) }
        return try readReply(socket, port: port)
    }

    /// Reads one response off `socket` (until its `Content-Length` is complete or the
    /// server closes the connection).
    private static func readReply(_ socket: Int32, port: Int) throws -> RawReply {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        var closed = false
        while true {
            let count = recv(socket, &buffer, buffer.count, 0)
            if count <= 0 {
                // An orderly close, or a reset (a server closing with unread bytes resets).
                closed = count == 0 || errno == ECONNRESET
                break
            }
            received += buffer[0..<count]
            if let parsed = RawReply.parse(received), parsed.complete { break }
        }
        guard var reply = RawReply.parse(received)?.reply else {
            throw NoResponse(port: port, bytes: received.count, closedByServer: closed)
        }
        reply.closedByServer = closed
        return reply
    }
}

extension RawHTTP {
    /// No HTTP response arrived: the server closed the connection first, or the read timed out.
    public struct NoResponse: Error, CustomStringConvertible {
        public let port: Int
        /// The bytes that did arrive.
        public let bytes: Int
        /// Whether the server closed the connection (rather than the read timing out).
        public let closedByServer: Bool

        public var description: String {
            "no HTTP response from port \(port) (\(bytes) bytes, \(closedByServer ? "closed" : "timed out"))"
        }
    }
}

/// The POSIX socket calls the raw client and `LoopbackListener` share.
public enum LoopbackSocket {
    /// A TCP connection to `127.0.0.1:port` with send and receive timeouts of `timeout` s.
    public static func connect(port: Int, timeout: Int) throws -> Int32 {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestSupportError("socket() failed") }
        setTimeouts(socket, seconds: timeout)
        var address = loopback(port: port)
        let result = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                Glibc.connect(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard result == 0 else {
            close(socket)
            throw TestSupportError("connect to 127.0.0.1:\(port) failed")
        }
        return socket
    }

    /// Sends every byte; `false` when the peer stopped accepting them.
    @discardableResult
    public static func sendAll(_ socket: Int32, _ bytes: [UInt8]) -> Bool {
        var sent = 0
        while sent < bytes.count {
            let count = bytes[sent...].withUnsafeBytes { send(socket, $0.baseAddress, $0.count, Int32(MSG_NOSIGNAL)) }
            if count <= 0 { return false }
            sent += count
        }
        return true
    }

    public static func setTimeouts(_ socket: Int32, seconds: Int) {
        var value = timeval(tv_sec: seconds, tv_usec: 0)
        let size = socklen_t(MemoryLayout<timeval>.size)
        setsockopt(socket, SOL_SOCKET, SO_RCVTIMEO, &value, size)
        setsockopt(socket, SOL_SOCKET, SO_SNDTIMEO, &value, size)
    }

    public static func loopback(port: Int) -> sockaddr_in {
        var address = sockaddr_in()
        address.sin_family = sa_family_t(AF_INET)
        address.sin_port = in_port_t(UInt16(port).bigEndian)
        address.sin_addr.s_addr = inet_addr("127.0.0.1")
        return address
    }
}

/// A raw client connection driven step by step: blocking calls, to run inside
/// `RawHTTP.onOwnThread`. Closed when it goes away.
public final class RawConnection {
    private let socket: Int32
    private let port: Int
    /// Bytes read and not yet taken as a reply.
    private var pending: [UInt8] = []

    /// Connects to `127.0.0.1:port`; sends and receives give up after `timeout` seconds.
    public init(port: Int, timeout: Int = 10) throws {
        socket = try LoopbackSocket.connect(port: port, timeout: timeout)
        self.port = port
    }

    deinit { close(socket) }

    /// Sends every byte; `false` when the server stopped taking them.
    @discardableResult
    public func send(_ bytes: [UInt8]) -> Bool { LoopbackSocket.sendAll(socket, bytes) }

    /// Shuts the sending side (`shutdown(SHUT_WR)`).
    public func halfClose() { shutdown(socket, Int32(SHUT_WR)) }

    /// The next `count` replies, in order.
    /// - Throws: `TestSupportError` when the connection ends or the timeout passes first.
    public func replies(_ count: Int) throws -> [RawReply] {
        var replies: [RawReply] = []
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while replies.count < count {
            if let (reply, complete) = RawReply.parse(pending), complete {
                let length = reply.values("Content-Length").first.flatMap(Int.init) ?? 0
                replies.append(RawReply(status: reply.status, headers: reply.headers, body: reply.body.prefix(length)))
                pending.removeFirst(pending.count - reply.body.count + length)
                continue
            }
            let received = recv(socket, &buffer, buffer.count, 0)
            guard received > 0 else {
                throw TestSupportError(
                    "\(replies.count) of \(count) replies from port \(port) before the connection ended")
            }
            pending += buffer[0..<received]
        }
        return replies
    }

    /// Waits up to the connection's timeout for the server to close it, reading (and
    /// dropping) anything it sends meanwhile: the seconds that took, or `nil` if it stayed
    /// open.
    public func secondsUntilClosed() -> Double? {
        let start = Date()
        var buffer = [UInt8](repeating: 0, count: 65_536)
        while true {
            let received = recv(socket, &buffer, buffer.count, 0)
            if received == 0 { return Date().timeIntervalSince(start) }
            if received < 0 { return nil }
        }
    }
}
