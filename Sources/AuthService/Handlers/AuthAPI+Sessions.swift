import PlatformCore

extension AuthAPI {
    /// `POST /auth/login` (public, rate-limited): a token pair.
    func login(_ input: Operations.login.Input) async throws -> Operations.login.Output {
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        let email = try InputValidation.email(body.email)
        try InputValidation.presentedPassword(body.password)
        let pair = try await sessions.login(
            email: email, password: body.password, clientAddress: RequestFacts.current.clientAddress,
            logger: requestLogger)
        return .ok(.init(headers: .init(Cache_hyphen_Control: "no-store"), body: .json(pair.api)))
    }

    /// `POST /auth/refresh` (public): the next token pair of the presented token's family.
    func refresh(_ input: Operations.refresh.Input) async throws -> Operations.refresh.Output {
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        try InputValidation.refreshToken(body.refreshToken)
        let pair = try await sessions.refresh(body.refreshToken, logger: requestLogger)
        return .ok(.init(headers: .init(Cache_hyphen_Control: "no-store"), body: .json(pair.api)))
    }

    /// `POST /auth/logout` (any signed-in user): revokes the family of the caller's token.
    func logout(_ input: Operations.logout.Input) async throws -> Operations.logout.Output {
        let caller = try CallerIdentity.require(anyOf: Self.anyUser)
        guard case .json(let body) = input.body else { throw APIError(.validationFailed) }
        try InputValidation.refreshToken(body.refreshToken)
        try await sessions.logout(body.refreshToken, caller: caller, logger: requestLogger)
        return .noContent(.init())
    }
}

extension SessionService.TokenPair {
    var api: Components.Schemas.TokenPair {
        Components.Schemas.TokenPair(
            accessToken: accessToken, refreshToken: refreshToken, tokenType: .Bearer, expiresIn: expiresIn)
    }
}
