public import Hummingbird

extension APIError {
    /// A stable error code and the one HTTP status it maps to.
    ///
    /// The platform-wide codes are the static constants below; a service adds its own
    /// (e.g. `ALREADY_CLAIMED` → 409) as static constants in its own module. Two codes are
    /// equal when their raw values are.
    public struct Code: Sendable, Hashable, CustomStringConvertible {
        /// The code as it appears in the envelope, `SCREAMING_SNAKE_CASE`.
        public let rawValue: String
        /// The status every error with this code is answered with.
        public let status: HTTPResponse.Status
        /// The message used when an error does not give its own.
        public let defaultMessage: String

        /// Declares a code. Declare each code once, as a static constant.
        /// - Parameters:
        ///   - rawValue: The code as it appears in the envelope.
        ///   - status: The HTTP status it maps to.
        ///   - defaultMessage: The client-facing sentence used when none is given.
        public init(_ rawValue: String, status: HTTPResponse.Status, defaultMessage: String) {
            self.rawValue = rawValue
            self.status = status
            self.defaultMessage = defaultMessage
        }

        public static func == (lhs: Code, rhs: Code) -> Bool { lhs.rawValue == rhs.rawValue }
        public func hash(into hasher: inout Hasher) { hasher.combine(rawValue) }
        public var description: String { rawValue }
    }
}

extension APIError.Code {
    /// 400: the request is malformed or fails validation.
    public static let validationFailed = Self(
        "VALIDATION_FAILED", status: .badRequest, defaultMessage: "The request is invalid.")
    /// 401: no token, or an invalid one.
    public static let unauthorized = Self(
        "UNAUTHORIZED", status: .unauthorized, defaultMessage: "Authentication is required.")
    /// 403: the caller's roles do not allow this.
    public static let forbidden = Self(
        "FORBIDDEN", status: .forbidden, defaultMessage: "You are not allowed to do this.")
    /// 404: no such route or resource.
    public static let notFound = Self(
        "NOT_FOUND", status: .notFound, defaultMessage: "The resource was not found.")
    /// 405: the route exists but not with this method.
    public static let methodNotAllowed = Self(
        "METHOD_NOT_ALLOWED", status: .methodNotAllowed, defaultMessage: "The method is not allowed here.")
    /// 409: the request conflicts with stored state (e.g. a unique key).
    public static let conflict = Self(
        "CONFLICT", status: .conflict, defaultMessage: "The request conflicts with the current state.")
    /// 413: the body is larger than the service accepts.
    public static let payloadTooLarge = Self(
        "PAYLOAD_TOO_LARGE", status: .contentTooLarge, defaultMessage: "The request body is too large.")
    /// 415: the body is not of the content type the operation declares.
    public static let unsupportedMediaType = Self(
        "UNSUPPORTED_MEDIA_TYPE", status: .unsupportedMediaType,
        defaultMessage: "The request body is not of a supported content type.")
    /// 422: the request is valid but a business rule refuses it.
    public static let businessRule = Self(
        "BUSINESS_RULE", status: .unprocessableContent, defaultMessage: "A business rule refused the request.")
    /// 429: too many requests.
    public static let rateLimited = Self(
        "RATE_LIMITED", status: .tooManyRequests, defaultMessage: "Too many requests; try again later.")
    /// 502: an upstream service failed or could not be reached.
    public static let upstreamUnavailable = Self(
        "UPSTREAM_UNAVAILABLE", status: .badGateway, defaultMessage: "An upstream service is unavailable.")
    /// 504: an upstream (a service or the database) did not answer in time.
    public static let upstreamTimeout = Self(
        "UPSTREAM_TIMEOUT", status: .gatewayTimeout, defaultMessage: "An upstream service did not answer in time.")
    /// 503: this service cannot serve now (e.g. its database is unreachable).
    public static let serviceUnavailable = Self(
        "SERVICE_UNAVAILABLE", status: .serviceUnavailable, defaultMessage: "The service is unavailable.")
    /// 500: a fault of ours; details are in the logs, never in the response.
    public static let `internal` = Self(
        "INTERNAL", status: .internalServerError, defaultMessage: "An internal error occurred.")
}
