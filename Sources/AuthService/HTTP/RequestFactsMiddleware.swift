import HTTPTypes
import Hummingbird
import PlatformCore

/// Sets `RequestFacts.current` for the rest of the request.
struct RequestFactsMiddleware: RouterMiddleware {
    typealias Context = PlatformRequestContext

    func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        let facts = RequestFacts(
            clientAddress: Self.clientAddress(
                forwardedFor: request.headers[.xForwardedFor], peer: context.remoteAddress?.ipAddress),
            authorization: request.headers[.authorization]
        )
        return try await RequestFacts.$current.withValue(facts) {
            try await next(request, context)
        }
    }

    /// The last `X-Forwarded-For` entry when it is an IP address, else `peer`.
    ///
    /// The last entry is the one the gateway appended (the address it saw); entries before
    /// it come from the client's own header and could be anything, so trusting them would
    /// let a client pick its own rate-limit key.
    static func clientAddress(forwardedFor: String?, peer: String?) -> String? {
        if let forwardedFor,
            let last = forwardedFor.split(separator: ",").last?.trimmingSpaces,
            isIPAddress(last)
        {
            return last.lowercased()
        }
        return peer
    }

    /// IPv4 dotted quads or IPv6 text (hex digits, colons, dots): enough to refuse header
    /// junk as a rate-limit key.
    static func isIPAddress(_ text: String) -> Bool {
        guard (2...45).contains(text.utf8.count) else { return false }
        if text.contains(":") {
            return text.utf8.allSatisfy { byte in
                switch byte {
                case UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "a")...UInt8(ascii: "f"),
                    UInt8(ascii: "A")...UInt8(ascii: "F"), UInt8(ascii: ":"), UInt8(ascii: "."):
                    true
                default:
                    false
                }
            }
        }
        let octets = text.split(separator: ".", omittingEmptySubsequences: false)
        return octets.count == 4
            && octets.allSatisfy { octet in
                octet.count <= 3 && !octet.isEmpty && octet.allSatisfy(\.isASCII) && (UInt8(octet) != nil)
            }
    }
}

extension HTTPField.Name {
    /// `X-Forwarded-For`, set by the gateway.
    static var xForwardedFor: Self { Self("X-Forwarded-For")! }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var slice = self
        while let first = slice.first, first.isWhitespace { slice.removeFirst() }
        while let last = slice.last, last.isWhitespace { slice.removeLast() }
        return String(slice)
    }
}
