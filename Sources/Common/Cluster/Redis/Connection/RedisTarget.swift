/// Where the client finds the Redis master: one fixed server, whichever server a Sentinel
/// set names as master right now, or a Redis Cluster's masters, by slot.
public enum RedisTarget: Sendable, Equatable, CustomStringConvertible {
    /// One server.
    case standalone(RedisEndpoint)
    /// A master found through sentinels (`RedisSentinels`).
    case sentinel(RedisSentinels)
    /// A Redis Cluster reached through some of its nodes (`RedisClusterSeeds`).
    case cluster(RedisClusterSeeds)

    /// The target a topology's `redis` section and the environment describe: `url` (from the
    /// variable `secrets.redis` names) for a standalone server, the sentinels otherwise, with
    /// the password from `MESHCAST_REDIS_PASSWORD` either way.
    public init(settings: RedisSettings?, url: String?, environment: [String: String]) throws(RedisError) {
        let settings = settings ?? .standalone
        switch settings.mode {
        case .standalone:
            guard let url, !url.isEmpty else { throw .invalidURL("no Redis URL for a standalone server") }
            self = .standalone(try RedisEndpoint(url: url, environment: environment))
        case .sentinel:
            let password = environment[RedisEndpoint.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
            let sentinelPassword = environment[RedisSentinels.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
            self = .sentinel(
                RedisSentinels(
                    masterName: settings.masterName ?? "",
                    sentinels: settings.sentinels.map {
                        RedisEndpoint(address: .tcp(host: $0.host, port: Int($0.port)), password: sentinelPassword)
                    },
                    password: password))
        case .cluster:
            let password = environment[RedisEndpoint.passwordVariable].flatMap { $0.isEmpty ? nil : $0 }
            self = .cluster(
                RedisClusterSeeds(
                    nodes: settings.nodes.map { RedisEndpoint(address: .tcp(host: $0.host, port: Int($0.port))) },
                    password: password))
        }
    }

    /// One blocking connection to the server, to the master the sentinels name now, or to a
    /// Cluster's masters: for commands that send a few commands and exit (`meshcast up`
    /// applying the topology).
    public func openConnection(
        connectTimeout: Duration = .seconds(1), ioTimeout: Duration = .seconds(2)
    ) throws(RedisError) -> any RedisCommandChannel {
        var firstSentinel = 0
        return try openConnection(
            connectTimeout: connectTimeout, ioTimeout: ioTimeout, firstSentinel: &firstSentinel)
    }

    /// The same, asking the sentinel at index `firstSentinel` first and leaving there the index
    /// of the one that answered (the specification's "move it to the head"), so a client that
    /// reconnects asks a sentinel known to answer.
    func openConnection(
        connectTimeout: Duration, ioTimeout: Duration, firstSentinel: inout Int
    ) throws(RedisError) -> any RedisCommandChannel {
        switch self {
        case .standalone(let endpoint):
            return try RedisConnection(endpoint: endpoint, connectTimeout: connectTimeout, ioTimeout: ioTimeout)
        case .sentinel(var set):
            let first = min(firstSentinel, set.sentinels.count - 1)
            set.sentinels = Array(set.sentinels[first...] + set.sentinels[..<first])
            var answered = 0
            defer { firstSentinel = (first + answered) % max(set.sentinels.count, 1) }
            return try SentinelResolver.connectToMaster(
                of: set, connectTimeout: connectTimeout, ioTimeout: ioTimeout
            ) { answered = $0 }
        case .cluster(let seeds):
            return try RedisClusterConnection(seeds: seeds, connectTimeout: connectTimeout, ioTimeout: ioTimeout)
        }
    }

    /// The server's URL, or the sentinels and the master's name.
    public var description: String {
        switch self {
        case .standalone(let endpoint): endpoint.description
        case .sentinel(let set): set.description
        case .cluster(let seeds): seeds.description
        }
    }
}

/// A Sentinel set watching one master: the client asks the sentinels for the master's address
/// (`SENTINEL get-master-addr-by-name`), checks with `ROLE` that the server it reached is a
/// master, and asks again after any connection failure or a `READONLY`/`LOADING` answer
/// (the Sentinel client specification, redis.io/docs/reference/sentinel-clients).
public struct RedisSentinels: Sendable, Equatable, CustomStringConvertible {
    /// The environment variable holding the sentinels' own password, when they have one.
    public static let passwordVariable = "MESHCAST_REDIS_SENTINEL_PASSWORD"

    /// The name the sentinels monitor the master under.
    public var masterName: String
    /// The sentinels, asked in turn; one that answers moves to the front.
    public var sentinels: [RedisEndpoint]
    /// The master's (and replicas') password, sent with `AUTH`.
    public var password: String?
    /// The logical database selected on the master.
    public var database: Int

    /// Creates a Sentinel target.
    public init(masterName: String, sentinels: [RedisEndpoint], password: String? = nil, database: Int = 0) {
        self.masterName = masterName
        self.sentinels = sentinels
        self.password = password
        self.database = database
    }

    /// `sentinel://host:port,host:port/name`, without passwords.
    public var description: String {
        let hosts = sentinels.map { $0.description.replacingPrefix("redis://") }.joined(separator: ",")
        return "sentinel://\(hosts)/\(masterName)"
    }
}

extension String {
    fileprivate func replacingPrefix(_ prefix: String) -> String {
        hasPrefix(prefix) ? String(dropFirst(prefix.count)) : self
    }
}
