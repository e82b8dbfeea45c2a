/// Where a command's key sits, so a Redis Cluster client can route it by slot. Only the
/// commands' shapes matter, not every command Redis knows: the first key decides the slot (Redis
/// itself refuses a command whose keys span slots with `CROSSSLOT`).
enum RedisCommandKeys {
    /// Commands without a key: any master may run them.
    static let keyless: Set<String> = [
        "PING", "TIME", "INFO", "ROLE", "SCRIPT", "CLUSTER", "MULTI", "EXEC", "DISCARD", "AUTH", "SELECT",
        "ASKING", "READONLY", "READWRITE", "DBSIZE", "FLUSHALL", "FLUSHDB", "ECHO", "COMMAND", "CONFIG",
        "CLIENT", "HELLO", "QUIT", "SHUTDOWN", "WAIT", "KEYS", "SCAN", "RANDOMKEY", "LASTSAVE",
    ]

    /// The first key of `arguments` (the command name first), or nil for a keyless command.
    static func firstKey(of arguments: [[UInt8]]) -> [UInt8]? {
        guard let first = arguments.first else { return nil }
        let name = String(decoding: first, as: UTF8.self).uppercased()
        if keyless.contains(name) { return nil }
        switch name {
        case "EVAL", "EVALSHA", "EVAL_RO", "EVALSHA_RO", "FCALL", "FCALL_RO":
            // EVALSHA sha numkeys key...: no key when numkeys is 0.
            guard arguments.count > 3, let count = Int(String(decoding: arguments[2], as: UTF8.self)), count > 0
            else { return nil }
            return arguments[3]
        case "XREAD", "XREADGROUP":
            guard
                let streams = arguments.firstIndex(where: {
                    String(decoding: $0, as: UTF8.self).uppercased() == "STREAMS"
                }),
                streams + 1 < arguments.count
            else { return nil }
            return arguments[streams + 1]
        case "XGROUP", "XINFO", "OBJECT", "MEMORY":
            // Subcommand first, then the key.
            return arguments.count > 2 ? arguments[2] : nil
        default:
            return arguments.count > 1 ? arguments[1] : nil
        }
    }
}
