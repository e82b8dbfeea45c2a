/// A Lua script run atomically by Redis: loaded once with `SCRIPT LOAD`, then run by its SHA1
/// with `EVALSHA` (see `RedisClient.run(_:keys:arguments:)`).
public struct RedisScript: Sendable, Hashable {
    /// The Lua source.
    public let source: String

    /// A script from its Lua source.
    public init(_ source: String) {
        self.source = source
    }
}
