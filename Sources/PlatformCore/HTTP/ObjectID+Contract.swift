public import MongoKit

extension ObjectID {
    /// An id as the contract spells it (`^[0-9a-f]{24}$`), from a path, query or body field.
    /// - Throws: `APIError` `VALIDATION_FAILED` naming `field` for anything else — a bad id
    ///   is a 400, never a 500.
    public init(contractHex text: String, field: String) throws {
        let isLowerHex = text.utf8.allSatisfy {
            (UInt8(ascii: "0")...UInt8(ascii: "9")).contains($0) || (UInt8(ascii: "a")...UInt8(ascii: "f")).contains($0)
        }
        guard text.utf8.count == 24, isLowerHex, let id = ObjectID(validating: text) else {
            throw APIError(.validationFailed, message: "The id is not valid.", details: ["field": .string(field)])
        }
        self = id
    }
}
