import MongoKit
import PlatformCore

/// The opaque `cursor` of a list: the base64url (no padding) of the last returned
/// document's 12-byte `_id`. Pages are in `_id` order, newest first, so a cursor stays
/// valid under inserts: new documents sort before it and never shift later pages.
enum PageCursor {
    /// The cursor after `id`.
    static func encode(_ id: ObjectID) -> String {
        Base64URL.encode(id.bytes)
    }

    /// The `_id` a cursor stands for.
    /// - Throws: `VALIDATION_FAILED` naming `cursor` when it is not one of ours (wrong
    ///   alphabet, padding, length or size) — never a server error.
    static func decode(_ cursor: String) throws -> ObjectID {
        guard cursor.utf8.count == 16, let bytes = Base64URL.decode(cursor), bytes.count == 12,
            let id = try? ObjectID(bytes: bytes)
        else {
            throw APIError.invalidField("cursor", "The cursor is not valid.")
        }
        return id
    }
}
