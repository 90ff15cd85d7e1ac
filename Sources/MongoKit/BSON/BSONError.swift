/// A problem with BSON data itself: malformed bytes, a value that cannot be represented,
/// or an ObjectId string that is not 24 hex digits. Messages are bounded and carry no
/// document contents beyond what identifies the problem.
public enum BSONError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The string is not 24 hexadecimal digits.
    case invalidObjectID(String)
    /// The bytes are not a well-formed BSON document; the string says where and why.
    case malformedDocument(String)
    /// A value of this kind cannot be stored in BSON (e.g. a key containing NUL).
    case unrepresentable(String)

    public var description: String {
        switch self {
        case .invalidObjectID(let text):
            "invalid ObjectId: expected 24 hex digits, got \(text.count) characters"
        case .malformedDocument(let reason):
            "malformed BSON document: \(reason)"
        case .unrepresentable(let reason):
            "value cannot be represented in BSON: \(reason)"
        }
    }
}
