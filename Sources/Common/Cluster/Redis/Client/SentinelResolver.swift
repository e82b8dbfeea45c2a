/// Finds a Sentinel set's master, per the Sentinel client specification: ask each sentinel in
/// turn for the master's address, connect, and check with `ROLE` that the server is a master
/// (a sentinel that has not yet seen a failover may still name the old one).
enum SentinelResolver {
    /// Connects to the current master of `set`. `answered` is told the index of the sentinel
    /// that answered, so the caller can ask it first next time.
    static func connectToMaster(
        of set: RedisSentinels, connectTimeout: Duration, ioTimeout: Duration, answered: (Int) -> Void
    ) throws(RedisError) -> RedisConnection {
        var problems: [String] = []
        for (index, sentinel) in set.sentinels.enumerated() {
            let master: RedisEndpoint
            do throws(RedisError) {
                let connection = try RedisConnection(
                    endpoint: sentinel, connectTimeout: connectTimeout, ioTimeout: ioTimeout)
                defer { connection.close() }
                guard let address = try masterAddress(askedOf: connection, masterName: set.masterName) else {
                    problems.append("\(sentinel) does not know master '\(set.masterName)'")
                    continue
                }
                master = RedisEndpoint(
                    address: .tcp(host: address.host, port: address.port), database: set.database,
                    password: set.password)
            } catch {
                problems.append("\(sentinel): \(error)")
                continue
            }
            answered(index)
            let connection = try RedisConnection(
                endpoint: master, connectTimeout: connectTimeout, ioTimeout: ioTimeout)
            let role = try connection.command(["ROLE"])
            guard role.array?.first?.string == "master" else {
                connection.close()
                throw .connection("\(master), named master by \(sentinel), is not a master yet (ROLE)")
            }
            return connection
        }
        throw .connection("no sentinel named a master '\(set.masterName)': \(problems.joined(separator: "; "))")
    }

    /// The master's address as the sentinel on `connection` names it now
    /// (`SENTINEL get-master-addr-by-name`); `nil` when it knows no master of that name.
    static func masterAddress(
        askedOf connection: RedisConnection, masterName: String
    ) throws(RedisError) -> (host: String, port: Int)? {
        let reply = try connection.command(["SENTINEL", "get-master-addr-by-name", masterName])
        guard let parts = reply.array, parts.count == 2, let host = parts[0].string,
            let port = parts[1].string.flatMap(Int.init)
        else { return nil }
        return (host, port)
    }
}
