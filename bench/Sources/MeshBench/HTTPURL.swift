/// An `http://host:port/path` URL, as far as a loopback benchmark needs one (no TLS, no
/// user info, IPv4 literal or `localhost` hosts).
struct HTTPURL: Sendable, CustomStringConvertible {
    let host: String
    let port: UInt16
    /// Path and query, starting with `/`.
    let target: String

    /// Parses `http://host[:port][/path]`; `nil` for anything else.
    init?(_ text: String) {
        guard text.hasPrefix("http://") else { return nil }
        let rest = text.dropFirst("http://".count)
        let authority = rest.prefix { $0 != "/" && $0 != "?" }
        let path = rest.dropFirst(authority.count)
        let parts = authority.split(separator: ":", maxSplits: 1, omittingEmptySubsequences: false)
        guard let name = parts.first, !name.isEmpty else { return nil }
        host = name == "localhost" ? "127.0.0.1" : String(name)
        if parts.count == 2 {
            guard let number = UInt16(parts[1]) else { return nil }
            port = number
        } else {
            port = 80
        }
        target = path.isEmpty ? "/" : (path.hasPrefix("/") ? String(path) : "/" + path)
    }

    private init(host: String, port: UInt16, target: String) {
        self.host = host
        self.port = port
        self.target = target
    }

    /// A `Location` header resolved against this URL: absolute URLs as given, absolute paths
    /// on this host (RFC 9110 §10.2.2 allows either).
    func resolving(_ location: String) -> HTTPURL? {
        if location.hasPrefix("http://") { return HTTPURL(location) }
        if location.hasPrefix("/") { return HTTPURL(host: host, port: port, target: location) }
        let directory = target.prefix { $0 != "?" }.split(separator: "/", omittingEmptySubsequences: false).dropLast()
        return HTTPURL(host: host, port: port, target: directory.joined(separator: "/") + "/" + location)
    }

    var description: String { "http://\(host):\(port)\(target)" }
}
