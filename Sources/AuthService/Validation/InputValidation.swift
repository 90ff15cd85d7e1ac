import PlatformCore

/// The checks the generated decoders leave to us (lengths, formats, counts): each failure
/// is a 400 `VALIDATION_FAILED` naming its field. Messages are constant; input is never
/// echoed.
enum InputValidation {
    /// The longest email address (RFC 5321 path limit).
    static let maximumEmailLength = 254

    /// `email` lower-cased when it is a plausible address: 1–254 bytes, one `@` with a
    /// non-empty local part of at most 64 bytes, a domain with a dot and no empty label, and
    /// no spaces, quotes, angle brackets or control characters.
    /// - Throws: `VALIDATION_FAILED` naming `field`.
    static func email(_ email: String, field: String = "email") throws -> String {
        // Checked as stored: lower-casing can lengthen an address (`İ` becomes `i̇`, 3 bytes).
        let lowered = email.lowercased()
        guard isPlausibleEmail(lowered) else {
            throw APIError.invalidField(field, "The email address is not valid.")
        }
        return lowered
    }

    static func isPlausibleEmail(_ email: String) -> Bool {
        guard !email.isEmpty, email.utf8.count <= maximumEmailLength else { return false }
        let forbidden: Set<Character> = [" ", "\"", "<", ">", "(", ")", ",", ";", ":", "\\", "[", "]"]
        guard !email.contains(where: { forbidden.contains($0) || $0.isWhitespace || isControl($0) }) else {
            return false
        }
        let parts = email.split(separator: "@", omittingEmptySubsequences: false)
        guard parts.count == 2, !parts[0].isEmpty, parts[0].utf8.count <= 64 else { return false }
        let labels = parts[1].split(separator: ".", omittingEmptySubsequences: false)
        return labels.count >= 2 && labels.allSatisfy { !$0.isEmpty && $0.utf8.count <= 63 }
    }

    /// A new password: at least 10 characters (Unicode scalars, as JSON Schema counts them)
    /// and at most 72 bytes of UTF-8 (bcrypt ignores anything past 72 bytes), with no NUL
    /// (bcrypt's C string would end there).
    /// - Throws: `VALIDATION_FAILED` naming `password`.
    static func newPassword(_ password: String) throws {
        guard password.unicodeScalars.count >= 10 else {
            throw APIError.invalidField(
                "password", "The password must have at least 10 characters (Unicode code points).")
        }
        guard password.utf8.count <= 72 else {
            throw APIError.invalidField("password", "The password must be at most 72 bytes long.")
        }
        guard !password.contains("\0") else {
            throw APIError.invalidField("password", "The password must not contain NUL characters.")
        }
    }

    /// A password presented at login: 1–72 bytes, no NUL.
    /// - Throws: `VALIDATION_FAILED` naming `password`.
    static func presentedPassword(_ password: String) throws {
        guard !password.isEmpty, password.utf8.count <= 72, !password.contains("\0") else {
            throw APIError.invalidField("password", "The password must be 1 to 72 bytes long.")
        }
    }

    /// A display text such as a nickname or a client name: `range` characters (Unicode
    /// scalars, as JSON Schema counts them), not blank, no control characters.
    /// - Throws: `VALIDATION_FAILED` naming `field`.
    static func displayText(_ text: String, field: String, length range: ClosedRange<Int>) throws {
        guard range.contains(text.unicodeScalars.count), !text.allSatisfy(\.isWhitespace),
            !text.contains(where: isControl)
        else {
            throw APIError.invalidField(
                field,
                "The \(field) must have \(range.lowerBound) to \(range.upperBound) characters (Unicode code points), not all blank."
            )
        }
    }

    /// A page size: `nil` → 20; 1–100 otherwise.
    /// - Throws: `VALIDATION_FAILED` naming `limit`.
    static func limit(_ limit: Int?) throws -> Int {
        guard let limit else { return 20 }
        guard (1...100).contains(limit) else {
            throw APIError.invalidField("limit", "The limit must be between 1 and 100.")
        }
        return limit
    }

    /// A refresh token as presented: 1–512 characters (the contract's bounds).
    /// - Throws: `VALIDATION_FAILED` naming `refreshToken`.
    static func refreshToken(_ token: String) throws {
        guard !token.isEmpty, token.utf8.count <= 512 else {
            throw APIError.invalidField("refreshToken", "The refresh token must be 1 to 512 characters long.")
        }
    }

    private static func isControl(_ character: Character) -> Bool {
        character.unicodeScalars.contains { $0.properties.generalCategory == .control || $0.value == 0x7F }
    }
}
