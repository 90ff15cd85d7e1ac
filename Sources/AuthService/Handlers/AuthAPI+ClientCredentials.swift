import Logging
import PlatformCore

extension AuthAPI {
    /// `POST /auth/token` (public): the OAuth 2.0 client-credentials grant → a short-lived
    /// token with only role SERVICE, its `sub` the client id.
    func issueClientCredentialsToken(
        _ input: Operations.issueClientCredentialsToken.Input
    ) async throws
        -> Operations.issueClientCredentialsToken.Output
    {
        guard case .urlEncodedForm(let form) = input.body else {
            throw ClientCredentials.invalidRequest("The request must be form-encoded.")
        }
        let credentials = try ClientCredentials.parse(
            authorization: RequestFacts.current.authorization, formID: form.client_id, formSecret: form.client_secret)
        // The relay's subject is auth's own; no client may ever act as it.
        guard credentials.clientID != CallerIdentity.authOutboxRelaySubject,
            let client = try await core.serviceClients.find(clientId: credentials.clientID),
            OpaqueToken.digestsMatch(OpaqueToken.digest(credentials.secret), client.secretHash)
        else {
            requestLogger.info("client authentication failed")
            throw ClientCredentials.invalidClient
        }
        let token = try await core.tokens.serviceToken(subject: client.clientId)
        requestLogger.info("service token issued", metadata: ["client.id": .string(client.clientId)])
        return .ok(
            .init(
                headers: .init(Cache_hyphen_Control: "no-store"),
                body: .json(.init(access_token: token.token, token_type: .Bearer, expires_in: token.expiresIn))))
    }
}
