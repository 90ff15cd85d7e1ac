import Foundation

/// The decoded header and payload of a compact JWS (no verification).
struct JWTParts {
    let header: [String: Any]
    let payload: [String: Any]

    init(_ token: String) throws {
        let parts = token.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 3 else { throw JWTPartsError() }
        header = try Self.object(parts[0])
        payload = try Self.object(parts[1])
    }

    private static func object(_ part: Substring) throws -> [String: Any] {
        var text = part.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        while text.count % 4 != 0 { text += "=" }
        guard let data = Data(base64Encoded: text),
            let object = try JSONSerialization.jsonObject(with: data) as? [String: Any]
        else { throw JWTPartsError() }
        return object
    }

    /// `token` with one character of its signature changed.
    static func tampered(_ token: String) -> String {
        var characters = Array(token)
        let index = characters.count - 5
        characters[index] = characters[index] == "A" ? "B" : "A"
        return String(characters)
    }
}

struct JWTPartsError: Error {}
