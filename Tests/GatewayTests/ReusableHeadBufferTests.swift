import NIOCore
import Testing

@testable import Gateway

/// A connection writes each head into the memory of the last one once nothing holds that
/// one any more; a head still held (a write not done yet) is never written over.
@Suite struct ReusableHeadBufferTests {
    /// Writes `text` as one head.
    static func write(_ text: String, into heads: inout ReusableHeadBuffer, bound: Int? = nil) -> ByteBuffer {
        heads.write(bound: bound ?? text.utf8.count) { memory in
            memory.copyBytes(from: text.utf8)
            return text.utf8.count
        }
    }

    static func address(_ buffer: ByteBuffer) -> UnsafeRawPointer? {
        buffer.withUnsafeReadableBytes { $0.baseAddress }
    }

    static let longHead = "HTTP/1.1 200 OK\r\n" + String(repeating: "X-Filler: 0123456789\r\n", count: 15) + "\r\n"
    static let shortHead = "HTTP/1.1 204 No Content\r\n\r\n"

    // A buffer's capacity is its storage's: a short head in the memory of a long one shows it.
    @Test func aHeadLetGoOfLendsItsMemoryToTheNext() {
        var heads = ReusableHeadBuffer()
        let first = Self.write(Self.longHead, into: &heads)
        #expect(String(buffer: first) == Self.longHead)
        _ = consume first
        let second = Self.write(Self.shortHead, into: &heads)
        #expect(String(buffer: second) == Self.shortHead)
        #expect(second.capacity >= Self.longHead.utf8.count)
    }

    @Test func aHeadStillHeldIsNeverWrittenOver() {
        var heads = ReusableHeadBuffer()
        let held = Self.write(Self.longHead, into: &heads)
        let next = Self.write(Self.shortHead, into: &heads)
        #expect(String(buffer: held) == Self.longHead)
        #expect(String(buffer: next) == Self.shortHead)
        #expect(Self.address(next) != Self.address(held))
    }

    @Test func aHeadLargerThanTheLimitGetsMemoryOfItsOwn() {
        var heads = ReusableHeadBuffer()
        let long = Self.write(Self.longHead, into: &heads)
        _ = consume long
        let large = String(repeating: "x", count: ReusableHeadBuffer.reuseLimit + 1)
        let written = Self.write(large, into: &heads)
        #expect(String(buffer: written) == large)
        _ = consume written
        // The memory kept is still the long head's: the large one's was never kept.
        let next = Self.write(Self.shortHead, into: &heads)
        #expect(next.capacity >= Self.longHead.utf8.count)
        #expect(next.capacity <= ReusableHeadBuffer.reuseLimit)
    }

    @Test func aHeadWrittenShortOfItsBoundIsOnlyWhatWasWritten() {
        var heads = ReusableHeadBuffer()
        _ = Self.write(Self.longHead, into: &heads)
        let short = Self.write(Self.shortHead, into: &heads, bound: 1_000)
        #expect(String(buffer: short) == Self.shortHead)
    }
}
