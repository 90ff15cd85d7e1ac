/// What the byte encoder has written so far, and which containers may still write.
///
/// Synthesized `Codable` writes strictly in order: a nested container is finished before
/// its parent writes again. So each element is written at once (type byte, key, value),
/// documents and arrays reserve their length and are closed (length patched) as soon as
/// an enclosing container writes again or the value that opened them returns. Anything
/// else the `Encoder` protocol allows (a container written after a sibling was opened,
/// `superEncoder`, a key written twice, a container requested twice, reading
/// `codingPath`) or any error abandons the attempt: `abandoned` is sticky, so the result
/// is discarded even when user code swallows the error.
struct ByteEncodingState {
    /// A document or array not closed yet.
    struct OpenContainer {
        /// Where its length prefix is.
        let start: Int
        /// Where its keys begin in `keys`.
        let firstKey: Int
    }

    /// A key of an open document: where it is in `writer.bytes`, and its `signature`.
    struct WrittenKey {
        let offset: Int
        let signature: UInt32
    }

    /// The slot of the value being encoded: it must become a document (no type byte).
    static let topLevel = -1
    /// `pendingSlot` when no slot is waiting for its value.
    static let noSlot = -2
    /// The slot of an encoder handed out after abandoning; it never matches `pendingSlot`.
    static let deadSlot = -3
    /// The start of a container handed out after abandoning; it is never open.
    static let deadContainer = -1

    var writer = BSONWriter(capacity: 512)
    /// Innermost last. Only the innermost may write; an outer one writing closes the inner.
    private var open: [OpenContainer] = []
    /// The keys of the open documents (each document's from its `firstKey`), to spot a
    /// key written twice.
    private var keys: [WrittenKey] = []
    /// The type-byte offset of the element whose value an `encode(to:)` is producing and
    /// has not started yet (`topLevel` at first), else `noSlot`.
    private(set) var pendingSlot = topLevel
    private(set) var abandoned = false

    init() {
        open.reserveCapacity(8)
        keys.reserveCapacity(32)
    }

    /// Gives up; every later call fails and the caller re-encodes with the tree encoder.
    mutating func abandon() {
        abandoned = true
        open.removeAll()
        pendingSlot = Self.noSlot
    }

    /// The bytes of the finished document, or `nil` when the attempt was abandoned.
    mutating func finish() -> [UInt8]? {
        if pendingSlot == Self.topLevel {
            // `encode(to:)` asked for no container: an empty document, as the tree encoder gives.
            pendingSlot = Self.noSlot
            writer.bytes.append(contentsOf: [5, 0, 0, 0, 0])
        }
        guard !abandoned, pendingSlot == Self.noSlot else { return nil }
        while !open.isEmpty { closeInnermost() }
        return writer.bytes
    }

    // MARK: Element headers

    /// Makes the container at `start` the innermost open one by closing the finished
    /// containers inside it; abandons when it was closed already or a slot is pending.
    @inline(__always)
    private mutating func activate(_ start: Int) throws(ByteEncodingAbandoned) {
        if pendingSlot == Self.noSlot, let last = open.last, last.start == start { return }
        try activateSlowly(start)
    }

    private mutating func activateSlowly(_ start: Int) throws(ByteEncodingAbandoned) {
        guard pendingSlot == Self.noSlot, let index = open.lastIndex(where: { $0.start == start }) else {
            abandon()
            throw ByteEncodingAbandoned()
        }
        while open.count > index + 1 { closeInnermost() }
    }

    /// A key's length, first and last byte: equal for equal keys, and different for most
    /// pairs of keys of one document, so only a match costs a byte-by-byte comparison.
    private static func signature(_ utf8: UnsafeBufferPointer<UInt8>) -> UInt32 {
        guard let first = utf8.first, let last = utf8.last else { return 0 }
        return UInt32(truncatingIfNeeded: utf8.count) << 16 | UInt32(first) << 8 | UInt32(last)
    }

    /// Whether the key of `length` bytes just written at `offset` is already a key of the
    /// innermost document.
    private func isRepeated(_ offset: Int, length: Int, signature: UInt32) -> Bool {
        for key in keys[open[open.count - 1].firstKey...] where key.signature == signature {
            let earlier = key.offset
            if writer.bytes[earlier..<earlier &+ length].elementsEqual(writer.bytes[offset..<offset &+ length]) {
                return true
            }
        }
        return false
    }

    private mutating func closeInnermost() {
        let container = open.removeLast()
        writer.bytes.append(0)
        writer.patchLength(at: container.start)
        keys.removeLast(keys.count - container.firstKey)
    }

    /// Writes an element's type byte and key into the document at `start`.
    /// - Returns: Where the type byte is.
    @discardableResult
    mutating func beginElement(_ type: UInt8, key: String, in start: Int) throws(ByteEncodingAbandoned) -> Int {
        try activate(start)
        let typeOffset = writer.bytes.count
        writer.bytes.append(type)
        let keyOffset = writer.bytes.count
        var key = key
        let (hasNUL, signature) = key.withUTF8 { utf8 in
            var hasNUL = false
            for byte in utf8 {
                writer.bytes.append(byte)
                hasNUL = hasNUL || byte == 0
            }
            return (hasNUL, Self.signature(utf8))
        }
        writer.bytes.append(0)
        // A NUL key is the tree encoder's (and BSONWriter's) error to report; a repeated key
        // replaces the first value in place there, which bytes already written cannot do.
        let length = writer.bytes.count &- 1 &- keyOffset
        if hasNUL || isRepeated(keyOffset, length: length, signature: signature) {
            abandon()
            throw ByteEncodingAbandoned()
        }
        keys.append(WrittenKey(offset: keyOffset, signature: signature))
        return typeOffset
    }

    /// Writes an element's type byte and key (its decimal position) into the array at `start`.
    /// - Returns: Where the type byte is.
    @discardableResult
    mutating func beginElement(_ type: UInt8, index: Int, in start: Int) throws(ByteEncodingAbandoned) -> Int {
        try activate(start)
        let typeOffset = writer.bytes.count
        writer.bytes.append(type)
        if index < 10 {
            writer.bytes.append(0x30 &+ UInt8(truncatingIfNeeded: index))
        } else if index < 100 {
            writer.bytes.append(0x30 &+ UInt8(truncatingIfNeeded: index / 10))
            writer.bytes.append(0x30 &+ UInt8(truncatingIfNeeded: index % 10))
        } else {
            writer.bytes.append(contentsOf: String(index).utf8)
        }
        writer.bytes.append(0)
        return typeOffset
    }

    /// Sets the type byte of the pending `slot` to `type`, for a single value.
    mutating func beginElement(_ type: UInt8, slot: Int) throws(ByteEncodingAbandoned) {
        // A scalar at the top level is not a document: the tree encoder throws that error.
        guard pendingSlot == slot, slot >= 0 else {
            abandon()
            throw ByteEncodingAbandoned()
        }
        pendingSlot = Self.noSlot
        writer.bytes[slot] = type
    }

    // MARK: Containers and slots

    /// Opens a document (`0x03`) or array (`0x04`) as the value of the pending `slot`.
    /// - Returns: Its start, or `deadContainer` after abandoning.
    mutating func openContainer(_ type: UInt8, slot: Int) -> Int {
        guard pendingSlot == slot, slot >= 0 || type == 0x03 else {
            abandon()
            return Self.deadContainer
        }
        pendingSlot = Self.noSlot
        if slot >= 0 { writer.bytes[slot] = type }
        return pushContainer()
    }

    /// Opens a document or array as a new element of the container at `start`.
    /// - Returns: Its start, or `deadContainer` after abandoning.
    mutating func openContainer(_ type: UInt8, key: String, in start: Int) -> Int {
        do throws(ByteEncodingAbandoned) {
            try beginElement(type, key: key, in: start)
        } catch {
            return Self.deadContainer
        }
        return pushContainer()
    }

    /// Opens a document or array as the next element of the array at `start`.
    /// - Returns: Its start, or `deadContainer` after abandoning.
    mutating func openContainer(_ type: UInt8, index: Int, in start: Int) -> Int {
        do throws(ByteEncodingAbandoned) {
            try beginElement(type, index: index, in: start)
        } catch {
            return Self.deadContainer
        }
        return pushContainer()
    }

    private mutating func pushContainer() -> Int {
        let start = writer.bytes.count
        writer.appendInteger(Int32(0))
        open.append(OpenContainer(start: start, firstKey: keys.count))
        return start
    }

    /// Writes the type byte (a placeholder) and key of an element whose value an
    /// `encode(to:)` will produce through an encoder for the returned slot.
    mutating func beginSlot(key: String, in start: Int) throws(ByteEncodingAbandoned) -> Int {
        let slot = try beginElement(0, key: key, in: start)
        pendingSlot = slot
        return slot
    }

    /// As `beginSlot(key:in:)`, for the next element of an array.
    mutating func beginSlot(index: Int, in start: Int) throws(ByteEncodingAbandoned) -> Int {
        let slot = try beginElement(0, index: index, in: start)
        pendingSlot = slot
        return slot
    }

    /// Finishes the value of `slot` once its `encode(to:)` has returned: closes what it
    /// opened, so the container at `start` can write again.
    mutating func endSlot(_ slot: Int, in start: Int) throws(ByteEncodingAbandoned) {
        if pendingSlot == slot {
            // Nothing was encoded: an empty document, as the tree encoder gives.
            pendingSlot = Self.noSlot
            writer.bytes[slot] = 0x03
            writer.bytes.append(contentsOf: [5, 0, 0, 0, 0])
        }
        try activate(start)
    }
}
