import Foundation
import Synchronization

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// A loopback TCP port that is free now and that no other caller in this test process
/// was given, for a server a test starts later on a port chosen in advance (the services of
/// a `PlatformCluster` must know each other's ports before they start).
///
/// The port is taken below the kernel's ephemeral range: servers that bind port 0 (the
/// double, in-process test servers) and outgoing connections only ever get ephemeral
/// ports, so between this check and the later bind nothing else in the test run takes it.
/// - Throws: `TestSupportError` when no port can be bound.
public func unusedLoopbackPort() throws -> Int {
    let candidates = LoopbackPorts.candidates
    for _ in 0..<200 {
        guard let port = candidates.randomElement() else { break }
        let claimed = LoopbackPorts.given.withLock { given in given.insert(port).inserted }
        if claimed, canBind(port) { return port }
    }
    // No range below the ephemeral one (an unusual configuration): let the kernel choose.
    guard let port = bindAndRead(0) else { throw TestSupportError("bind() failed") }
    return port
}

private enum LoopbackPorts {
    /// Ports handed out in this process.
    static let given = Mutex(Set<Int>())

    /// 10000 up to the start of the ephemeral range (at most 32768).
    static let candidates: Range<Int> = {
        let range = (try? String(contentsOfFile: "/proc/sys/net/ipv4/ip_local_port_range", encoding: .utf8))?
            .split(whereSeparator: \.isWhitespace).first.flatMap { Int($0) }
        let upper = min(range ?? 32768, 32768)
        return upper > 11_000 ? 10_000..<upper : 0..<0
    }()
}

private func canBind(_ port: Int) -> Bool { bindAndRead(port) != nil }

/// Binds a loopback socket to `port` (0: any), reads the bound port back, and closes it.
private func bindAndRead(_ port: Int) -> Int? {
    #if canImport(Glibc)
        let descriptor = socket(AF_INET, Int32(SOCK_STREAM.rawValue), 0)
    #else
        let descriptor = socket(AF_INET, SOCK_STREAM, 0)
    #endif
    guard descriptor >= 0 else { return nil }
    defer { close(descriptor) }
    var address = sockaddr_in()
    address.sin_family = sa_family_t(AF_INET)
    address.sin_port = UInt16(port).bigEndian
    address.sin_addr.s_addr = inet_addr("127.0.0.1")
    var length = socklen_t(MemoryLayout<sockaddr_in>.size)
    let bound = withUnsafeMutablePointer(to: &address) { pointer in
        pointer.withMemoryRebound(to: sockaddr.self, capacity: 1) { socketAddress in
            bind(descriptor, socketAddress, length) == 0 && getsockname(descriptor, socketAddress, &length) == 0
        }
    }
    return bound ? Int(UInt16(bigEndian: address.sin_port)) : nil
}
