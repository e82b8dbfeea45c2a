/// A Redis Cluster as the topology names it: a few of its nodes (seeds), any of which can tell
/// the client the whole slot map (`CLUSTER SLOTS`). Masters and replicas found later need not
/// be listed.
public struct RedisClusterSeeds: Sendable, Equatable, CustomStringConvertible {
    /// The seeds, asked in turn for the slot map.
    public var nodes: [RedisEndpoint]
    /// The nodes' password, sent with `AUTH` to every node the client connects to.
    public var password: String?

    /// Creates a Cluster target.
    public init(nodes: [RedisEndpoint], password: String? = nil) {
        self.nodes = nodes
        self.password = password
    }

    /// `cluster://host:port,host:port`, without passwords.
    public var description: String {
        let hosts = nodes.map { endpoint -> String in
            if case .tcp(let host, let port) = endpoint.address { return "\(host):\(port)" }
            return endpoint.description
        }
        return "cluster://\(hosts.joined(separator: ","))"
    }
}

/// What `RedisClient` needs of the thing it sends commands through: one server's connection,
/// or a Cluster's connections behind a slot map. Used on one queue at a time, like
/// `RedisConnection`.
public protocol RedisCommandChannel: AnyObject {
    /// The server this channel reached first: the server, or the seed that named the slots.
    var endpoint: RedisEndpoint { get }
    /// Sends one command; an error reply throws `RedisError.server`.
    func command(bytes arguments: [[UInt8]]) throws(RedisError) -> RedisReply
    /// Sends several commands; error replies come back as `.error` elements.
    func pipeline(bytes commands: [[[UInt8]]]) throws(RedisError) -> [RedisReply]
    /// Closes every connection.
    func close()
}

extension RedisCommandChannel {
    /// Sends one command with text arguments.
    public func command(_ arguments: [String]) throws(RedisError) -> RedisReply {
        try command(bytes: arguments.map { Array($0.utf8) })
    }

    /// Sends several commands with text arguments.
    public func pipeline(_ commands: [[String]]) throws(RedisError) -> [RedisReply] {
        try pipeline(bytes: commands.map { $0.map { Array($0.utf8) } })
    }
}

extension RedisConnection: RedisCommandChannel {}
