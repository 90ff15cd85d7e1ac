/// Field names the wire path looks for, found from a head's bytes without making a string
/// or hashing one: names by length, compared ignoring ASCII case.
struct WireNameTable<Value> {
    private let byLength: [[(name: [UInt8], value: Value)]]

    /// - Parameter entries: Lowercase names and what each means.
    init(_ entries: [String: Value]) {
        let longest = entries.keys.map(\.utf8.count).max() ?? 0
        var byLength = [[(name: [UInt8], value: Value)]](repeating: [], count: longest + 1)
        for (name, value) in entries {
            byLength[name.utf8.count].append((Array(name.utf8), value))
        }
        self.byLength = byLength
    }

    /// What the name at `range` of `bytes` means, if it is one of the table's.
    func value(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Value? {
        guard range.count < byLength.count else { return nil }
        for candidate in byLength[range.count] where Self.equalsIgnoringCase(bytes, range, candidate.name) {
            return candidate.value
        }
        return nil
    }

    /// Whether the bytes at `range` are `lowercase` with any ASCII letters in any case.
    static func equalsIgnoringCase(
        _ bytes: UnsafeRawBufferPointer, _ range: Range<Int>, _ lowercase: [UInt8]
    ) -> Bool {
        guard range.count == lowercase.count else { return false }
        for (offset, index) in range.enumerated() {
            let byte = bytes[index]
            let folded = byte >= UInt8(ascii: "A") && byte <= UInt8(ascii: "Z") ? byte | 0x20 : byte
            guard folded == lowercase[offset] else { return false }
        }
        return true
    }
}

extension WireNameTable: Sendable where Value: Sendable {}
