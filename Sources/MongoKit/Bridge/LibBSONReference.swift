internal import CMongoC

/// libbson's own renderings, used by tests to check MongoKit's serializer against the
/// reference implementation byte for byte.
enum LibBSONReference {
    /// libbson's canonical Extended JSON for the bytes MongoKit produces for `document`.
    static func canonicalExtendedJSON(of document: BSONDocument) throws -> String {
        let handle = try BSONHandle(copying: document)
        defer { withExtendedLifetime(handle) {} }
        guard let json = bson_as_canonical_extended_json(handle.opaque, nil) else {
            throw MongoError.encoding(keyPath: "", message: "libbson could not render the document")
        }
        defer { bson_free(json) }
        return String(cString: json)
    }

    /// Whether libbson's validator accepts the bytes MongoKit produces.
    static func validates(_ document: BSONDocument) throws -> Bool {
        let handle = try BSONHandle(copying: document)
        defer { withExtendedLifetime(handle) {} }
        var offset = 0
        return bson_validate(handle.opaque, BSON_VALIDATE_UTF8, &offset)
    }
}
