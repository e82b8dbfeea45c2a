/// Which kind of Redis the mesh's shared state lives in: `redis: {mode: ...}` at the top level
/// of a topology. The mode is always named, never inferred from how many addresses are listed:
/// a Sentinel set given as one server would quietly lose its failover.
///
/// - `standalone` (the default, and what a topology without the section means): one server,
///   whose URL is in the variable `secrets.redis` names.
/// - `sentinel`: the sentinels' addresses and the master's name; nodes ask the sentinels for
///   the master (Redis's Sentinel client protocol) and follow a failover. Addresses are not
///   secrets; the password still comes from `MESHCAST_REDIS_PASSWORD`.
public struct RedisSettings: Sendable, Equatable, Codable {
    /// The kinds of Redis deployment the mesh can use.
    public enum Mode: String, Sendable, Equatable, Codable, CaseIterable {
        /// One server.
        case standalone
        /// A master with replicas watched by Redis Sentinel.
        case sentinel
    }

    /// The deployment kind.
    public var mode: Mode
    /// The name the sentinels monitor the master under (`sentinel` mode).
    public var masterName: String?
    /// The sentinels, in the order they are asked (`sentinel` mode).
    public var sentinels: [EndpointAddress]

    /// Creates settings.
    public init(mode: Mode, masterName: String? = nil, sentinels: [EndpointAddress] = []) {
        self.mode = mode
        self.masterName = masterName
        self.sentinels = sentinels
    }

    /// What a topology without a `redis` section means.
    public static let standalone = RedisSettings(mode: .standalone)
}
