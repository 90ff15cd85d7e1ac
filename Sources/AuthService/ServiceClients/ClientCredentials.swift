import Foundation
import HTTPTypes
import PlatformCore

/// The credentials of a client-credentials grant (RFC 6749 §2.3.1, §4.4): from HTTP Basic
/// or from the form, never both.
struct ClientCredentials: Sendable, Equatable {
    let clientID: String
    let secret: String

    /// Reads the credentials of one token request.
    /// - Parameters:
    ///   - authorization: The `Authorization` header, if any.
    ///   - formID: `client_id` from the form.
    ///   - formSecret: `client_secret` from the form.
    /// - Throws: `APIError` with `details.oauthError`: `invalid_request` (400) for both
    ///   methods at once or half a pair in the form; `invalid_client` (401, `WWW-Authenticate:
    ///   Basic`) for no credentials, another scheme or a malformed Basic value.
    static func parse(authorization: String?, formID: String?, formSecret: String?) throws -> ClientCredentials {
        let inForm = formID != nil || formSecret != nil
        if let authorization {
            guard !inForm else {
                throw invalidRequest("Use either HTTP Basic or client_id and client_secret in the form, not both.")
            }
            guard let credentials = basic(authorization) else { throw invalidClient }
            return credentials
        }
        guard let formID, let formSecret else {
            if inForm { throw invalidRequest("client_id and client_secret go together.") }
            throw invalidClient
        }
        guard (1...128).contains(formID.utf8.count), (1...256).contains(formSecret.utf8.count) else {
            throw invalidClient
        }
        return ClientCredentials(clientID: formID, secret: formSecret)
    }

    /// `Basic base64(urlencode(id) ":" urlencode(secret))`, or `nil` when it is not that.
    private static func basic(_ header: String) -> ClientCredentials? {
        let parts = header.split(separator: " ", maxSplits: 1, omittingEmptySubsequences: true)
        guard parts.count == 2, parts[0].lowercased() == "basic", parts[1].utf8.count <= 1024,
            let data = Data(base64Encoded: String(parts[1]).trimmingCharacters(in: .whitespaces)),
            let decoded = String(data: data, encoding: .utf8),
            let colon = decoded.firstIndex(of: ":")
        else { return nil }
        guard let id = formDecoded(decoded[..<colon]),
            let secret = formDecoded(decoded[decoded.index(after: colon)...]),
            (1...128).contains(id.utf8.count), (1...256).contains(secret.utf8.count)
        else { return nil }
        return ClientCredentials(clientID: id, secret: secret)
    }

    /// `application/x-www-form-urlencoded` decoding (`+` is a space), as RFC 6749 §2.3.1
    /// asks of Basic credentials.
    private static func formDecoded(_ text: Substring) -> String? {
        String(text).replacingOccurrences(of: "+", with: " ").removingPercentEncoding
    }

    static var invalidClient: APIError {
        APIError(
            .unauthorized, message: "Client authentication failed.", details: ["oauthError": "invalid_client"],
            headers: [.wwwAuthenticate: "Basic"])
    }

    static func invalidRequest(_ message: String) -> APIError {
        APIError(.validationFailed, message: message, details: ["oauthError": "invalid_request"])
    }
}
