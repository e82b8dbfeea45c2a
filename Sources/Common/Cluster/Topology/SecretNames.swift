/// The names of the environment variables that hold the mesh's secrets.
///
/// A topology file lives in a repository, so it names where a secret comes from and never
/// holds the secret itself. That includes the Redis and PostgreSQL URLs: they carry passwords
/// (`redis://:password@host:6379`) and differ per deployment, so the topology names the
/// variable (`secrets: {redis: MESHCAST_REDIS_URL}`) and each node reads it at start.
public struct SecretNames: Sendable, Equatable, Codable {
    /// The variable holding the cluster secret that authenticates the internal node API.
    public var clusterSecretVariable: String
    /// The variable holding the key that signs publish and view tokens.
    public var tokenSecretVariable: String
    /// The variable holding the Redis URL; when it is unset at run time, `meshcast up`
    /// starts a local `redis-server` and sets it for the nodes it runs.
    public var redisURLVariable: String
    /// The variable holding the TURN REST shared secret; required when a node runs TURN.
    public var turnSecretVariable: String?
    /// The variable holding the PostgreSQL URL of the recordings catalog, if recorders use one.
    public var postgresURLVariable: String?

    /// The Redis URL variable when the topology names none.
    public static let defaultRedisURLVariable = "MESHCAST_REDIS_URL"
    /// The catalog's PostgreSQL URL variable when the topology names none.
    public static let defaultPostgresURLVariable = "MESHCAST_POSTGRES_URL"

    /// The variable recorders read the catalog URL from: the named one, else the default.
    public var catalogURLVariable: String { postgresURLVariable ?? Self.defaultPostgresURLVariable }

    /// Creates the set of names.
    public init(
        clusterSecretVariable: String,
        tokenSecretVariable: String,
        redisURLVariable: String = SecretNames.defaultRedisURLVariable,
        turnSecretVariable: String? = nil,
        postgresURLVariable: String? = nil
    ) {
        self.clusterSecretVariable = clusterSecretVariable
        self.tokenSecretVariable = tokenSecretVariable
        self.redisURLVariable = redisURLVariable
        self.turnSecretVariable = turnSecretVariable
        self.postgresURLVariable = postgresURLVariable
    }
}
