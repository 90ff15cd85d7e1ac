internal import CMongoC

/// Owns one heap `bson_t` for the length of a blocking job and destroys it in `deinit`.
///
/// Debian's libbson declares `bson_t` 128-byte aligned, which Swift does not honour for
/// stack values (and imports the type as opaque), so a `bson_t` is never a Swift local:
/// either libbson allocates it (`bson_new_from_data`) or this class allocates 128-aligned
/// storage for an out-parameter. Only the owning job uses the pointer.
///
/// Swift may release an object right after the last read of one of its properties, so a
/// caller that passes `opaque` to C keeps the handle alive until the call has returned:
/// `defer { withExtendedLifetime(handle) {} }` after creating it. (Without it, an optimised
/// build freed `insertMany`'s documents before libmongoc read them.)
final class BSONHandle {
    /// The `bson_t *`, as libbson's and libmongoc's functions take it.
    let opaque: OpaquePointer
    private let ownedStorage: UnsafeMutableRawPointer?

    /// The size libbson gives `bson_t` (flags, length and 120 bytes of inline storage).
    private static let bsonSize = 128

    /// A libbson copy of `document`'s bytes.
    /// - Throws: `MongoError.encoding` when the document cannot be serialised.
    convenience init(copying document: BSONDocument) throws(MongoError) {
        let bytes: [UInt8]
        do {
            bytes = try BSONWriter.serialize(document)
        } catch {
            throw MongoError.encoding(keyPath: "", message: error.description)
        }
        try self.init(bytes: bytes)
    }

    /// A libbson copy of a document's BSON bytes (e.g. from `BSONEncoder.encodeBytes`).
    /// - Throws: `MongoError.encoding` when libbson does not accept them as a document.
    init(bytes: [UInt8]) throws(MongoError) {
        guard let created = bytes.withUnsafeBufferPointer({ bson_new_from_data($0.baseAddress, $0.count) }) else {
            throw MongoError.encoding(keyPath: "", message: "libbson rejected the document")
        }
        opaque = created
        ownedStorage = nil
    }

    /// Initialised, empty storage for a reply out-parameter (libmongoc re-initialises it).
    init(reply: ()) {
        let raw = UnsafeMutableRawPointer.allocate(byteCount: Self.bsonSize, alignment: 128)
        opaque = OpaquePointer(raw)
        ownedStorage = raw
        // Initialise before lending: if a call fails before touching the reply,
        // bson_destroy still sees a valid static, inline document.
        bson_init(opaque)
    }

    deinit {
        bson_destroy(opaque)
        ownedStorage?.deallocate()
    }

    /// The document's current contents, copied into Swift.
    func document() throws(MongoError) -> BSONDocument {
        try BSONHandle.document(from: opaque)
    }

    /// Copies a libbson document (for example one a cursor lends) into Swift.
    static func document(from pointer: OpaquePointer) throws(MongoError) -> BSONDocument {
        guard let data = bson_get_data(pointer) else { return BSONDocument() }
        // The first four bytes of a BSON document are its total length.
        let length = Int(Int32(littleEndian: UnsafeRawPointer(data).loadUnaligned(as: Int32.self)))
        let buffer = UnsafeRawBufferPointer(start: data, count: max(length, 0))
        do {
            return try BSONReader.parse(buffer)
        } catch {
            throw MongoError.decoding(keyPath: "", message: error.description)
        }
    }
}
