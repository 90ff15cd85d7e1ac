extension Dictionary {
    /// Makes room for `key` in a table of at most `capacity` entries — the rule the token
    /// tables share (`VerifiedTokenCache`, `RecentlyRejectedTokens`), a cheap bounded reset
    /// rather than an LRU list: when `key` is new and the table is full, the entries
    /// `isLive` refuses go first, then, if none did, all of them.
    /// - Returns: Whether all of them went.
    @discardableResult
    mutating func makeRoom(for key: Key, capacity: Int, keeping isLive: (Value) -> Bool) -> Bool {
        guard count >= capacity, self[key] == nil else { return false }
        self = filter { isLive($0.value) }
        guard count >= capacity else { return false }
        removeAll(keepingCapacity: true)
        return true
    }
}
