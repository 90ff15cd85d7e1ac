import AsyncHTTPClient
import HTTPTypes
import NIOHTTP1
import PlatformCore

/// Which headers cross the gateway, in each direction.
enum ProxyHeaders {
    /// Hop-by-hop headers (RFC 9110 §7.6.1), never forwarded either way.
    static let hopByHop: Set<String> = [
        "connection", "keep-alive", "proxy-connection", "te", "trailer", "transfer-encoding", "upgrade",
        "proxy-authenticate", "proxy-authorization",
    ]

    /// Request headers the gateway sets itself (or the HTTP client does).
    static let replacedOnRequest: Set<String> = [
        "host", "content-length", "expect", "x-request-id", "x-forwarded-for",
    ]

    /// The prefix of the identity fields only the gateway may set (`X-User-Id`, …): never
    /// passed on from a client.
    static let identityFieldPrefix = "x-user-"

    /// Response headers the gateway sets itself (the framing of the body it writes, its
    /// request id and its clock).
    static let replacedOnResponse: Set<String> = ["content-length", "date", "x-request-id"]

    /// The options of one `Connection` header value (RFC 9110 §7.6.1): its comma-separated
    /// tokens, trimmed and lowercased.
    static func connectionOptions(_ value: String) -> [String] {
        value.split(separator: ",").map { $0.trimmingSpaces.lowercased() }
    }

    /// The headers to send upstream: the client's, minus hop-by-hop ones (and those the
    /// `Connection` header names), minus every `X-User-*` (identity comes only from the
    /// verified token), with `X-Request-Id` set to the platform's id and the client's
    /// address appended to `X-Forwarded-For`. `Authorization` passes unchanged.
    /// - Parameters:
    ///   - incoming: The client's request headers.
    ///   - requestID: The request's platform id.
    ///   - clientAddress: The client's IP address, when known.
    static func upstreamRequestHeaders(
        _ incoming: HTTPFields, requestID: String, clientAddress: String?
    ) -> HTTPHeaders {
        let named = connectionTokens(incoming)
        var headers = HTTPHeaders()
        var forwardedFor: [String] = []
        for field in incoming {
            let name = field.name.canonicalName
            if name == "x-forwarded-for" {
                forwardedFor.append(field.value)
                continue
            }
            if hopByHop.contains(name) || replacedOnRequest.contains(name) || named.contains(name)
                || name.hasPrefix(identityFieldPrefix)
            {
                continue
            }
            headers.add(name: field.name.rawName, value: field.value)
        }
        headers.add(name: "X-Request-Id", value: requestID)
        if let clientAddress { forwardedFor.append(clientAddress) }
        if !forwardedFor.isEmpty {
            headers.add(name: "X-Forwarded-For", value: forwardedFor.joined(separator: ", "))
        }
        return headers
    }

    /// The upstream's response headers for the client, minus hop-by-hop ones and
    /// `Content-Length` (the response body states its own length).
    static func clientResponseHeaders(_ upstream: HTTPHeaders) -> HTTPFields {
        var named: Set<String> = []
        for value in upstream["connection"] {
            named.formUnion(connectionOptions(value))
        }
        var fields = HTTPFields()
        fields.reserveCapacity(upstream.count + 2)
        for (name, value) in upstream {
            // The field name's canonical form is the lowercased name: no second lowercased copy.
            guard let fieldName = HTTPField.Name(name) else { continue }
            let lowercased = fieldName.canonicalName
            guard !hopByHop.contains(lowercased), lowercased != "content-length", !named.contains(lowercased)
            else { continue }
            fields.append(HTTPField(name: fieldName, value: value))
        }
        return fields
    }

    /// The lowercased header names listed in the request's `Connection` header.
    private static func connectionTokens(_ fields: HTTPFields) -> Set<String> {
        var tokens: Set<String> = []
        for value in fields[values: .connection] {
            tokens.formUnion(connectionOptions(value))
        }
        return tokens
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        var slice = self
        while let first = slice.first, first == " " || first == "\t" { slice.removeFirst() }
        while let last = slice.last, last == " " || last == "\t" { slice.removeLast() }
        return String(slice)
    }
}
