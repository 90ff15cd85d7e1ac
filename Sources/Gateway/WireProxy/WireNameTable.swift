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

    /// A table of names alone (asked with `contains`).
    init(_ names: Set<String>) where Value == Void {
        self.init(Dictionary(uniqueKeysWithValues: names.map { ($0, ()) }))
    }

    /// What the name at `range` of `bytes` means, if it is one of the table's.
    func value(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Value? {
        guard range.count < byLength.count else { return nil }
        for candidate in byLength[range.count] where WireBytes.equalsIgnoringCase(bytes, range, candidate.name) {
            return candidate.value
        }
        return nil
    }
}

extension WireNameTable where Value == Void {
    /// Whether the name at `range` of `bytes` is one of the table's.
    func contains(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> Bool {
        value(bytes, range) != nil
    }
}

extension WireNameTable: Sendable where Value: Sendable {}
