import Foundation
import MongoKit
import PlatformCore

/// The opaque `cursor` of the list endpoints: the list it belongs to and the id of the last
/// item served, base64url-encoded. Pages are keyset pages on `_id` (newest first), so they
/// are stable under inserts. A cursor that does not decode, or belongs to another list, is
/// a 400.
enum PageCursor {
    /// The list a cursor belongs to.
    enum Kind: String {
        case events = "ev"
        case claims = "cl"
        case auditLogs = "au"
    }

    static func encode(_ kind: Kind, after id: ObjectID) -> String {
        Data("\(kind.rawValue):\(id.hex)".utf8).base64EncodedString()
            .replacingOccurrences(of: "+", with: "-").replacingOccurrences(of: "/", with: "_")
            .replacingOccurrences(of: "=", with: "")
    }

    /// The id the next page starts after, or `nil` for the first page.
    /// - Throws: `APIError` `VALIDATION_FAILED` (`field: cursor`) for a malformed or foreign cursor.
    static func decode(_ cursor: String?, kind: Kind) throws -> ObjectID? {
        guard let cursor else { return nil }
        let invalid = RequestValidation.invalid("cursor", "The cursor is not valid.")
        guard cursor.utf8.count <= 512 else { throw invalid }
        var base64 = cursor.replacingOccurrences(of: "-", with: "+").replacingOccurrences(of: "_", with: "/")
        base64 += String(repeating: "=", count: (4 - base64.utf8.count % 4) % 4)
        guard let data = Data(base64Encoded: base64), let text = String(data: data, encoding: .utf8) else {
            throw invalid
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, parts[0] == kind.rawValue,
            let id = try? RequestValidation.objectID(String(parts[1]), field: "cursor")
        else { throw invalid }
        return id
    }

    /// Fetches one item more than `limit` to know whether a next page exists.
    /// - Returns: The page and the cursor of the next one (`nil` on the last page).
    static func page<Item>(
        _ kind: Kind, limit: Int, id: (Item) -> ObjectID, fetch: (Int) async throws -> [Item]
    ) async throws -> (items: [Item], next: String?) {
        let fetched = try await fetch(limit + 1)
        guard fetched.count > limit else { return (fetched, nil) }
        let items = Array(fetched.prefix(limit))
        return (items, items.last.map { encode(kind, after: id($0)) })
    }
}
