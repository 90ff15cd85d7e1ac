import HTTPTypes
import PlatformCore

extension APIError.Code {
    /// 409: an account with this email exists (emails compare case-insensitively).
    static let emailTaken = Self(
        "EMAIL_TAKEN", status: .conflict, defaultMessage: "An account with this email already exists.")
    /// 409: the change would leave no user with role ADMIN.
    static let lastAdmin = Self(
        "LAST_ADMIN", status: .conflict, defaultMessage: "The last administrator cannot lose the ADMIN role.")
}

extension APIError {
    /// 400 `VALIDATION_FAILED` naming `field` in `details.field`.
    /// - Parameters:
    ///   - field: The offending field, e.g. `password` or `roles`.
    ///   - message: A constant sentence saying what is wrong.
    static func invalidField(_ field: String, _ message: String) -> APIError {
        APIError(.validationFailed, message: message, details: ["field": .string(field)])
    }

    /// The one 401 of a failed login: the same for an unknown email and a wrong password.
    static let invalidCredentials = APIError(.unauthorized, message: "The email or password is incorrect.")

    /// The one 401 of a refresh or logout token that cannot be used, whatever the reason.
    static let invalidRefreshToken = APIError(.unauthorized, message: "The refresh token is not valid.")
}
