import AsyncHTTPClient
public import Foundation
public import NIOCore
public import NIOHTTP1

/// A small JSON client for end-to-end tests: one request, its status, headers and JSON.
public struct PlatformClient: Sendable {
    /// The base URL, e.g. `http://127.0.0.1:8080`.
    public let baseURL: String

    public init(baseURL: String) {
        self.baseURL = baseURL
    }

    /// A response: status, headers and the body (raw and as JSON when it parses).
    public struct Reply: Sendable {
        public var status: Int
        public var headers: HTTPHeaders
        public var body: Data

        /// The body as JSON (`nil` when empty or not JSON).
        public var json: Any? {
            body.isEmpty ? nil : try? JSONSerialization.jsonObject(with: body, options: [.fragmentsAllowed])
        }

        /// The body as a JSON object (empty when it is not one).
        public var object: [String: Any] { json as? [String: Any] ?? [:] }

        /// The `items` of a page.
        public var items: [[String: Any]] { object["items"] as? [[String: Any]] ?? [] }

        /// The envelope's `error.code`.
        public var errorCode: String? { (object["error"] as? [String: Any])?["code"] as? String }

        /// The body as text.
        public var text: String { String(decoding: body, as: UTF8.self) }
    }

    /// Sends `method path` with an optional bearer `token` and a JSON, form or raw body.
    /// - Parameters:
    ///   - json: A JSON-serialisable value sent as `application/json`.
    ///   - form: A urlencoded form body.
    ///   - raw: Bytes sent as they are (with `contentType`).
    ///   - headers: Extra headers.
    public func call(
        _ method: HTTPMethod, _ path: String, token: String? = nil, json: Any? = nil, form: String? = nil,
        raw: Data? = nil, contentType: String = "application/json", headers: [(String, String)] = [],
        timeout: TimeAmount = .seconds(20)
    ) async throws -> Reply {
        var request = HTTPClientRequest(url: baseURL + path)
        request.method = method
        if let token { request.headers.add(name: "Authorization", value: "Bearer \(token)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: try JSONSerialization.data(withJSONObject: json)))
        } else if let form {
            request.headers.add(name: "Content-Type", value: "application/x-www-form-urlencoded")
            request.body = .bytes(ByteBuffer(string: form))
        } else if let raw {
            request.headers.add(name: "Content-Type", value: contentType)
            request.body = .bytes(ByteBuffer(bytes: raw))
        }
        for (name, value) in headers { request.headers.add(name: name, value: value) }
        let response = try await HTTPClient.shared.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 1 << 24)
        return Reply(status: Int(response.status.code), headers: response.headers, body: Data(body.readableBytesView))
    }

    /// Polls `GET path` until it answers `status`.
    /// - Returns: whether it did before `timeout`.
    public func waitFor(_ path: String, status: Int = 200, timeout: Duration = .seconds(30)) async throws -> Bool {
        let deadline = ContinuousClock.now + timeout
        while ContinuousClock.now < deadline {
            if let reply = try? await call(.GET, path, timeout: .seconds(2)), reply.status == status { return true }
            try await Task.sleep(for: .milliseconds(100))
        }
        return false
    }

    /// RFC 3339 UTC, as the API expects.
    public static func iso(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }
}
