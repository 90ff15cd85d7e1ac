/// Mints coupon codes: the reward's template, a dash and 16 random characters from an
/// alphabet without look-alikes (`0`/`O`, `1`/`I`) — 80 bits, so codes cannot be guessed,
/// and the chance that any two of a billion grants share one is below one in a million
/// (n²/2⁸¹). No index enforces uniqueness across users: one that does not start with
/// `userId` would keep the ledger from being sharded on it (`EventIndexes`).
enum CouponCode {
    private static let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// A fresh code for `template`, e.g. `SPRING-7KQ2M9XW4PAT3HNB`.
    static func mint(template: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<16).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return template + "-" + String(suffix)
    }
}
