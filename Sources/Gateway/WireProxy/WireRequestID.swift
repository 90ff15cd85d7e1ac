import PlatformCore

/// A request's id on the wire path: the client's `X-Request-Id` when usable, else a new one
/// kept as its digits (no string is made for it unless an error envelope needs one).
enum WireRequestID {
    case client(String)
    case generated(GeneratedRequestID)

    /// The client's id if `candidate` is usable (`RequestIdentifier.sanitized`), else a new one.
    init(client candidate: String?) {
        if let kept = RequestIdentifier.sanitized(candidate) {
            self = .client(kept)
        } else {
            self = .generated(GeneratedRequestID())
        }
    }

    /// The id as a string.
    var string: String {
        switch self {
        case .client(let id): id
        case .generated(let id): id.string
        }
    }

    /// Calls `body` with the id's bytes (a generated id's without making a string).
    func withUTF8<Result>(_ body: (UnsafeRawBufferPointer) -> Result) -> Result {
        switch self {
        case .client(var id): id.withUTF8 { body(UnsafeRawBufferPointer($0)) }
        case .generated(let id): id.withUTF8(body)
        }
    }

    /// Its length in bytes.
    var byteCount: Int {
        switch self {
        case .client(let id): id.utf8.count
        case .generated: GeneratedRequestID.count
        }
    }
}
