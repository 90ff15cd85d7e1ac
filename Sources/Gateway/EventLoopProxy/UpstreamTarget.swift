/// Where the event-loop proxy connects for one service, parsed once from its base URL.
struct UpstreamTarget: Sendable, Equatable {
    /// The host name or address to connect to (IPv6 without brackets).
    let host: String
    /// The TCP port (80 when the URL names none).
    let port: Int
    /// The `Host` header value: the URL's authority as written.
    let authority: String
    /// The URL's path without a trailing slash, put before every request target (as the
    /// HTTP client path does with `baseURL + target`).
    let pathPrefix: String

    /// Parses `http://host[:port][/path]`. `nil` for anything else (`https`, user info, a
    /// query or fragment, a bad port): such a service is proxied only by the HTTP client.
    init?(baseURL: String) {
        let scheme = "http://"
        guard baseURL.lowercased().hasPrefix(scheme) else { return nil }
        let rest = baseURL.dropFirst(scheme.count)
        guard !rest.contains(where: { $0 == "?" || $0 == "#" || $0 == "@" }) else { return nil }
        let authorityEnd = rest.firstIndex(of: "/") ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        var path = rest[authorityEnd...]
        while path.hasSuffix("/") { path.removeLast() }

        let host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.firstIndex(of: "]") else { return nil }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if !after.isEmpty {
                guard after.hasPrefix(":") else { return nil }
                portText = after.dropFirst()
            }
        } else if let colon = authority.firstIndex(of: ":") {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        var port = 80
        if let portText {
            guard !portText.isEmpty, portText.allSatisfy(\.isASCIIDigit), let number = Int(portText),
                (1...65_535).contains(number)
            else { return nil }
            port = number
        }
        guard !host.isEmpty else { return nil }
        self.host = String(host)
        self.port = port
        self.authority = String(authority)
        self.pathPrefix = String(path)
    }
}

extension Character {
    fileprivate var isASCIIDigit: Bool { isASCII && isNumber }
}
