import Foundation
public import MongoKit

/// The opaque `cursor` of every list endpoint (DESIGN §4): the list it belongs to and the
/// `_id` of the last item served, base64url without padding. Lists are keyset pages on
/// `_id`, newest first, so a cursor stays valid under inserts (new documents sort before
/// it and never shift later pages). A cursor that does not decode, or belongs to another
/// list, is a 400 — never a server error.
public enum PageCursor {
    /// The list a cursor belongs to; each service declares its lists as static constants.
    public struct Kind: Sendable, Equatable {
        public let rawValue: String

        /// A list tag: a few lowercase letters, unique within a service.
        public init(_ rawValue: String) {
            self.rawValue = rawValue
        }
    }

    /// The cursor of the page after `id` in list `kind`.
    public static func encode(_ kind: Kind, after id: ObjectID) -> String {
        Data("\(kind.rawValue):\(id.hex)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The id the next page starts after, or `nil` for the first page (no cursor).
    /// - Throws: `APIError` `VALIDATION_FAILED` with `details.field = "cursor"` for a
    ///   malformed or foreign cursor.
    public static func decode(_ cursor: String?, kind: Kind) throws -> ObjectID? {
        guard let cursor else { return nil }
        let invalid = APIError(.validationFailed, message: "The cursor is not valid.", details: ["field": "cursor"])
        guard cursor.utf8.count <= 512 else { throw invalid }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw invalid
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == kind.rawValue, let id = ObjectID(validating: String(parts[1])),
            id.hex == parts[1]
        else { throw invalid }
        return id
    }

    /// Fetches one item more than `limit` to know whether a next page exists.
    /// - Returns: The page and the cursor of the next one (`nil` on the last page).
    public static func page<Item>(
        _ kind: Kind, limit: Int, id: (Item) -> ObjectID, fetch: (Int) async throws -> [Item]
    ) async throws -> (items: [Item], next: String?) {
        let fetched = try await fetch(limit + 1)
        guard fetched.count > limit else { return (fetched, nil) }
        let items = Array(fetched.prefix(limit))
        return (items, items.last.map { encode(kind, after: id($0)) })
    }
}
