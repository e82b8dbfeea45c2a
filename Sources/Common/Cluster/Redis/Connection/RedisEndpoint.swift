/// Where a Redis server listens and how to log in: parsed from `redis://host[:port][/db]` or
/// `unix:///path/to/socket`.
///
/// The password is not part of the URL (URLs end up in logs and topology files); it comes from
/// the environment variable `MESHCAST_REDIS_PASSWORD`, sent with `AUTH` when set.
public struct RedisEndpoint: Sendable, Equatable, CustomStringConvertible {
    /// A TCP host and port, or a Unix domain socket path.
    public enum Address: Sendable, Equatable {
        /// `redis://host:port`; IPv6 hosts are written in brackets in the URL.
        case tcp(host: String, port: Int)
        /// `unix:///path`.
        case unix(path: String)
    }

    /// The environment variable holding the Redis password.
    public static let passwordVariable = "MESHCAST_REDIS_PASSWORD"
    /// The port used when the URL names none.
    public static let defaultPort = 6379

    /// The server address.
    public var address: Address
    /// The logical database selected with `SELECT` after connecting (0 = Redis's default).
    public var database: Int
    /// Sent with `AUTH` after connecting when non-nil.
    public var password: String?

    /// An endpoint from its parts.
    public init(address: Address, database: Int = 0, password: String? = nil) {
        self.address = address
        self.database = database
        self.password = password
    }

    /// Parses `url`; `password` defaults to nothing (see `init(url:environment:)`).
    public init(url: String, password: String? = nil) throws(RedisError) {
        let (address, database) = try Self.parseAddress(url)
        self.init(address: address, database: database, password: password)
    }

    /// Parses `url` and takes the password from `environment[MESHCAST_REDIS_PASSWORD]` if present.
    public init(url: String, environment: [String: String]) throws(RedisError) {
        let password = environment[Self.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
        try self.init(url: url, password: password)
    }

    /// The URL form of the address (without any password).
    public var description: String {
        switch address {
        case .tcp(let host, let port):
            let shownHost = host.contains(":") ? "[\(host)]" : host
            return database == 0 ? "redis://\(shownHost):\(port)" : "redis://\(shownHost):\(port)/\(database)"
        case .unix(let path):
            return "unix://\(path)"
        }
    }

    private static func parseAddress(_ url: String) throws(RedisError) -> (Address, Int) {
        if url.hasPrefix("unix://") {
            let path = String(url.dropFirst("unix://".count))
            guard path.hasPrefix("/"), path.count > 1 else {
                throw .invalidURL("'\(url)': a unix URL needs an absolute socket path (unix:///path)")
            }
            return (.unix(path: path), 0)
        }
        guard url.hasPrefix("redis://") else {
            throw .invalidURL("'\(url)': expected redis://host[:port][/db] or unix:///path")
        }
        var rest = Substring(url.dropFirst("redis://".count))
        if rest.contains("@") {
            throw .invalidURL("'\(url)': no credentials in the URL; set \(passwordVariable)")
        }
        var database = 0
        if let slash = rest.firstIndex(of: "/") {
            let databaseText = rest[rest.index(after: slash)...]
            rest = rest[..<slash]
            if !databaseText.isEmpty {
                guard let number = Int(databaseText), number >= 0 else {
                    throw .invalidURL("'\(url)': database '\(databaseText)' is not a non-negative number")
                }
                database = number
            }
        }
        let (host, portText) = try splitHostPort(rest, url: url)
        guard !host.isEmpty else { throw .invalidURL("'\(url)': missing host") }
        var port = defaultPort
        if let portText {
            guard let number = Int(portText), (1...65535).contains(number) else {
                throw .invalidURL("'\(url)': port '\(portText)' is not in 1...65535")
            }
            port = number
        }
        return (.tcp(host: String(host), port: port), database)
    }

    /// `host`, `host:port`, `[v6]` or `[v6]:port`.
    private static func splitHostPort(
        _ text: Substring, url: String
    ) throws(RedisError) -> (Substring, Substring?) {
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]") else {
                throw .invalidURL("'\(url)': unclosed '[' in IPv6 host")
            }
            let host = text[text.index(after: text.startIndex)..<close]
            let after = text[text.index(after: close)...]
            if after.isEmpty { return (host, nil) }
            guard after.hasPrefix(":") else { throw .invalidURL("'\(url)': junk after IPv6 host") }
            return (host, after.dropFirst())
        }
        let parts = text.split(separator: ":", omittingEmptySubsequences: false)
        switch parts.count {
        case 1: return (parts[0], nil)
        case 2: return (parts[0], parts[1])
        default: throw .invalidURL("'\(url)': IPv6 hosts must be written in brackets")
        }
    }
}
