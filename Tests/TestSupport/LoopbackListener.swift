import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#endif

/// A TCP listener on a free loopback port that records every request it receives and then
/// misbehaves as told: a stand-in upstream that fails mid-exchange (to prove the gateway
/// never retries), or a "key server" that must never be contacted (`jku`/`x5u` headers).
///
/// It serves one connection at a time on its own thread (no `Task`: the accept loop
/// blocks), polling so that `stop()` ends it within 100 ms.
public final class LoopbackListener: Sendable {
    /// What it does after reading a request.
    public enum Behaviour: Sendable {
        /// Writes this raw HTTP response, then closes.
        case respond(String)
        /// Closes the connection without a byte of answer.
        case drop
        /// Writes a status line, headers promising 100 bytes, a few of them, then closes.
        case truncate
        /// Keeps the connection open and never answers (until `stop()`).
        case hang
    }

    /// The port it listens on (127.0.0.1).
    public let port: Int
    private let socket: Int32
    private let behaviour: Behaviour
    private let state = Mutex(State())

    private struct State {
        var requests: [String] = []
        var stopped = false
        var held: [Int32] = []
        var finished = false
    }

    /// Request lines received so far (`POST /activities HTTP/1.1`), in order.
    public var requests: [String] { state.withLock { $0.requests } }

    /// Starts listening.
    /// - Throws: `TestSupportError` when no socket can be bound.
    public init(_ behaviour: Behaviour) throws {
        let socket = Glibc.socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
        guard socket >= 0 else { throw TestSupportError("socket() failed") }
        var reuse: Int32 = 1
        setsockopt(socket, SOL_SOCKET, SO_REUSEADDR, &reuse, socklen_t(MemoryLayout<Int32>.size))
        var address = LoopbackSocket.loopback(port: 0)
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) {
                bind(socket, $0, socklen_t(MemoryLayout<sockaddr_in>.size))
            }
        }
        guard bound == 0, listen(socket, 64) == 0 else {
            close(socket)
            throw TestSupportError("bind/listen failed")
        }
        var actual = sockaddr_in()
        var length = socklen_t(MemoryLayout<sockaddr_in>.size)
        _ = withUnsafeMutablePointer(to: &actual) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { getsockname(socket, $0, &length) }
        }
        self.port = Int(UInt16(bigEndian: actual.sin_port))
        self.socket = socket
        self.behaviour = behaviour
        let thread = Thread { [self] in acceptLoop() }
        thread.start()
    }

    /// Stops accepting, closes held connections, and waits (≤ 2 s) for the loop to end.
    public func stop() {
        let held = state.withLock { state -> [Int32] in
            state.stopped = true
            defer { state.held = [] }
            return state.held
        }
        for connection in held { close(connection) }
        let deadline = Date().addingTimeInterval(2)
        while !state.withLock({ $0.finished }) && Date() < deadline { usleep(10_000) }
    }

    private func acceptLoop() {
        defer {
            close(socket)
            state.withLock { $0.finished = true }
        }
        while !state.withLock({ $0.stopped }) {
            var descriptor = pollfd(fd: socket, events: Int16(POLLIN), revents: 0)
            guard poll(&descriptor, 1, 100) > 0 else { continue }
            let connection = accept(socket, nil, nil)
            guard connection >= 0 else { continue }
            serve(connection)
        }
    }

    private func serve(_ connection: Int32) {
        LoopbackSocket.setTimeouts(connection, seconds: 2)
        let requestLine = Self.readRequest(connection)
        state.withLock { $0.requests.append(requestLine) }
        switch behaviour {
        case .respond(let response):
            LoopbackSocket.sendAll(connection, Array(response.utf8))
            close(connection)
        case .drop:
            close(connection)
        case .truncate:
            LoopbackSocket.sendAll(
                connection,
                Array("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"a".utf8))
            close(connection)
        case .hang:
            let keep = state.withLock { state -> Bool in
                if !state.stopped { state.held.append(connection) }
                return !state.stopped
            }
            if !keep { close(connection) }
        }
    }

    /// Reads the head and a `Content-Length` body; returns the request line.
    private static func readRequest(_ connection: Int32) -> String {
        var received: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: 16_384)
        var bodyNeeded: Int?
        var headEnd = 0
        while true {
            let count = recv(connection, &buffer, buffer.count, 0)
            if count <= 0 { break }
            received += buffer[0..<count]
            if bodyNeeded == nil, let end = headEndIndex(received) {
                headEnd = end
                let head = String(decoding: received[..<end], as: UTF8.self).lowercased()
                bodyNeeded =
                    head.components(separatedBy: "\r\n").first { $0.hasPrefix("content-length:") }
                    .flatMap { Int($0.dropFirst("content-length:".count).trimmingCharacters(in: .whitespaces)) } ?? 0
            }
            if let needed = bodyNeeded, received.count - headEnd >= needed { break }
        }
        let text = String(decoding: received, as: UTF8.self)
        return text.components(separatedBy: "\r\n").first ?? ""
    }

    private static func headEndIndex(_ bytes: [UInt8]) -> Int? {
        guard bytes.count >= 4 else { return nil }
        for index in 0...(bytes.count - 4)
        where bytes[index] == 13 && bytes[index + 1] == 10 && bytes[index + 2] == 13 && bytes[index + 3] == 10 {
            return index + 4
        }
        return nil
    }
}
