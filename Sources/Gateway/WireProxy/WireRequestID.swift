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

    /// Its length in bytes.
    var byteCount: Int {
        switch self {
        case .client(let id): id.utf8.count
        case .generated: GeneratedRequestID.count
        }
    }
}
