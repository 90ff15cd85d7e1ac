import AsyncHTTPClient
import Hummingbird
import Logging
import NIOCore
import NIOHTTP1
import PlatformCore

/// Forwards a request to an upstream service and turns its answer into the gateway's.
///
/// The method, path and query (the request target as received) and body pass unchanged;
/// headers as `ProxyHeaders` says. The body is read into memory up to the limit first, so
/// an oversized one is refused (413) before any of it reaches the upstream. The answer's
/// status, headers (minus hop-by-hop) and body pass unchanged, an upstream's own error
/// envelope included. Nothing is retried: a failed POST must not run twice.
struct UpstreamProxy: Sendable {
    /// Upstream bodies up to this size are read whole before answering (so a timeout
    /// while reading them is still a 504 envelope); larger or unsized ones are streamed.
    static let bufferedResponseLimit = 1 << 20

    let client: HTTPClient
    let upstreams: Upstreams
    let maximumBodySize: Int
    /// The longest a whole exchange may take; the read timeout normally fires first.
    let deadline: Duration

    /// Forwards `request` to `service`.
    /// - Throws: `APIError` `PAYLOAD_TOO_LARGE` (413) for a body over the limit,
    ///   `UPSTREAM_TIMEOUT` (504) when the upstream does not connect or answer in time,
    ///   `UPSTREAM_UNAVAILABLE` (502) when it refuses or breaks the connection.
    func forward(_ request: Request, to service: String, context: PlatformRequestContext) async throws -> Response {
        guard let baseURL = upstreams.baseURLs[service] else {
            throw APIError(.internal)
        }
        if let declared = request.headers[.contentLength], let length = Int(declared), length > maximumBodySize {
            throw APIError(.payloadTooLarge)
        }
        let hasBody = request.headers[.contentLength] != nil || request.headers[.transferEncoding] != nil
        let body = hasBody ? try await request.body.collect(upTo: maximumBodySize) : nil

        var upstreamRequest = HTTPClientRequest(url: baseURL + (request.head.path ?? "/"))
        upstreamRequest.method = HTTPMethod(rawValue: request.method.rawValue)
        upstreamRequest.headers = ProxyHeaders.upstreamRequestHeaders(
            request.headers, requestID: context.requestID, clientAddress: context.remoteAddress?.ipAddress)
        if let body {
            upstreamRequest.body = .bytes(body)
        }
        do {
            let response = try await client.execute(
                upstreamRequest, timeout: GatewayHTTPClient.timeAmount(deadline), logger: nil)
            return try await Self.clientResponse(from: response)
        } catch {
            throw Self.translate(error, service: service, logger: context.logger)
        }
    }

    /// The client's response: status, headers and body as the upstream sent them.
    static func clientResponse(from upstream: HTTPClientResponse) async throws -> Response {
        let status = HTTPResponse.Status(code: Int(upstream.status.code), reasonPhrase: upstream.status.reasonPhrase)
        let headers = ProxyHeaders.clientResponseHeaders(upstream.headers)
        let declaredLength = upstream.headers.first(name: "content-length").flatMap(Int.init)
        if status == .noContent || status == .notModified {
            // No body by definition (RFC 9110 §15.3.5, §15.4.5): none is written, not even chunked.
            _ = try await upstream.body.collect(upTo: bufferedResponseLimit)
            return Response(status: status, headers: headers, body: ResponseBody())
        }
        if let declaredLength, declaredLength <= bufferedResponseLimit {
            let body = try await upstream.body.collect(upTo: bufferedResponseLimit)
            return Response(status: status, headers: headers, body: ResponseBody(byteBuffer: body))
        }
        let stream = upstream.body
        return Response(
            status: status, headers: headers,
            body: ResponseBody(contentLength: declaredLength) { writer in
                for try await buffer in stream {
                    try await writer.write(buffer)
                }
                try await writer.finish(nil)
            })
    }

    /// The envelope error for a failed exchange; cancellation passes as it is.
    static func translate(_ error: any Error, service: String, logger: Logger) -> any Error {
        if error is CancellationError || error is APIError { return error }
        let apiError: APIError
        switch error as? HTTPClientError {
        case .some(.connectTimeout), .some(.readTimeout), .some(.deadlineExceeded), .some(.writeTimeout):
            apiError = APIError(.upstreamTimeout)
        case .some(.invalidURL):
            apiError = APIError(.validationFailed, message: "The request path is invalid.")
        default:
            apiError = APIError(.upstreamUnavailable)
        }
        logFailure(apiError, cause: error, service: service, logger: logger)
        return apiError
    }

    /// Logs a failed exchange at `warning`: the upstream, the envelope code and the cause.
    static func logFailure(_ apiError: APIError, cause: any Error, service: String, logger: Logger) {
        logger.warning(
            "upstream request failed",
            metadata: [
                "upstream": .string(service), "error.code": .string(apiError.code.rawValue),
                "error.description": .string(String(describing: cause)),
            ])
    }
}
