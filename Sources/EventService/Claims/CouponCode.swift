/// Mints coupon codes: the reward's template, a dash and 12 random characters from an
/// alphabet without look-alikes (`0`/`O`, `1`/`I`) — about 60 bits, so codes cannot be
/// guessed; the ledger's unique index makes a collision fail loudly instead of silently.
enum CouponCode {
    private static let alphabet = Array("23456789ABCDEFGHJKLMNPQRSTUVWXYZ")

    /// A fresh code for `template`, e.g. `SPRING-7KQ2M9XW4PAT`.
    static func mint(template: String) -> String {
        var generator = SystemRandomNumberGenerator()
        let suffix = (0..<12).map { _ in alphabet[Int(generator.next(upperBound: UInt32(alphabet.count)))] }
        return template + "-" + String(suffix)
    }
}
