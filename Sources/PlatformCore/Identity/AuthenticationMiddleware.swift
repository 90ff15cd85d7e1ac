import Foundation
public import Hummingbird
import Logging

/// Verifies the `Authorization: Bearer …` token of a request, when there is one, and puts
/// the caller in the context and in `CallerIdentity.current` for the rest of the request.
///
/// A request without the header goes on anonymous when `allowsAnonymous` says so (routes
/// then decide whether that is enough), else it is a 401 before any handler decodes its
/// body; a present but invalid token, or another scheme, is a 401. Identity headers a
/// client sends (`X-User-*`) are never read.
public struct AuthenticationMiddleware: RouterMiddleware {
    public typealias Context = PlatformRequestContext

    private let verifier: TokenVerifier
    private let allowsAnonymous: @Sendable (Request) -> Bool

    /// - Parameters:
    ///   - verifier: Verifies the bearer token.
    ///   - allowsAnonymous: Whether a request without `Authorization` may go on (its
    ///     operation is public); by default every one may. Generated handlers check roles
    ///     only after decoding the body, so a service refuses anonymous requests to its
    ///     protected operations here: 401, never a 400 about a body the caller may not send.
    public init(verifier: TokenVerifier, allowsAnonymous: @escaping @Sendable (Request) -> Bool = { _ in true }) {
        self.verifier = verifier
        self.allowsAnonymous = allowsAnonymous
    }

    public func handle(
        _ request: Request, context: PlatformRequestContext,
        next: (Request, PlatformRequestContext) async throws -> Response
    ) async throws -> Response {
        guard let header = request.headers[.authorization] else {
            guard allowsAnonymous(request) else {
                throw APIError(.unauthorized, headers: [.wwwAuthenticate: "Bearer"])
            }
            return try await next(request, context)
        }
        guard let token = BearerToken.parse(header) else {
            throw APIError.invalidAccessToken
        }
        let identity = try await verifier.verify(
            token, client: context.remoteAddress?.ipAddress, logger: context.logger)
        var context = context
        context.identity = identity
        context.logger[metadataKey: "user.id"] = .string(identity.subject)
        return try await CallerIdentity.$current.withValue(identity) {
            try await next(request, context)
        }
    }
}

/// The token of an `Authorization: Bearer <token>` header value.
public enum BearerToken {
    /// The token, or `nil` when the value is not the Bearer scheme with a token.
    ///
    /// The scheme is matched without regard to case after any leading spaces and must be
    /// followed by a space; the token is the rest, without the spaces and tabs around it.
    /// Read byte by byte (the gateway parses one per request): no split, no lowercased
    /// copy, one allocation for the token.
    public static func parse(_ header: String) -> String? {
        let bytes = header.utf8
        var index = bytes.startIndex
        while index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") { bytes.formIndex(after: &index) }
        for expected in "bearer".utf8 {
            // ASCII letters only: `| 0x20` folds upper case and maps no other byte to a letter.
            guard index < bytes.endIndex, bytes[index] | 0x20 == expected else { return nil }
            bytes.formIndex(after: &index)
        }
        guard index < bytes.endIndex, bytes[index] == UInt8(ascii: " ") else { return nil }
        // Trimmed by hand: Foundation's `trimmingCharacters` bridges through NSString on
        // Linux and cost the gateway ~6% of its CPU per request.
        var end = bytes.endIndex
        while index < end, isBlank(bytes[index]) { bytes.formIndex(after: &index) }
        while index < end, isBlank(bytes[bytes.index(before: end)]) { bytes.formIndex(before: &end) }
        return index < end ? String(header[index..<end]) : nil
    }

    private static func isBlank(_ byte: UInt8) -> Bool {
        byte == UInt8(ascii: " ") || byte == UInt8(ascii: "\t")
    }
}
