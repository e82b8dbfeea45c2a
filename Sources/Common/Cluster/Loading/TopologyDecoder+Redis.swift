import Yams

extension TopologyDecoder {
    static let redisKeys = ["mode", "master_name", "sentinels"]

    /// `redis: {mode: standalone|sentinel, master_name: ..., sentinels: [host:port, ...]}`.
    func decodeRedis(_ node: Node) -> RedisSettings? {
        guard let fields = read.fields(node, "'redis'", known: Self.redisKeys, required: ["mode"]),
            let modeNode = fields["mode"], let modeText = read.string(modeNode, "'redis.mode'")
        else { return nil }
        guard let mode = RedisSettings.Mode(rawValue: modeText.value) else {
            let known = RedisSettings.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            let cluster = modeText.value == "cluster" ? " (Redis Cluster is not supported yet)" : ""
            log.error("unknown 'redis.mode' '\(modeText.value)'\(cluster); expected one of: \(known)", at: modeNode)
            return nil
        }
        switch mode {
        case .standalone:
            for key in ["master_name", "sentinels"] {
                guard let extra = fields[key] else { continue }
                log.error("'redis.\(key)' is only for 'mode: sentinel'", at: extra)
                return nil
            }
            return .standalone
        case .sentinel:
            guard let nameNode = fields["master_name"], let sentinelsNode = fields["sentinels"] else {
                log.error("'redis.mode: sentinel' needs 'master_name' and 'sentinels'", at: node)
                return nil
            }
            guard let name = read.string(nameNode, "'redis.master_name'") else { return nil }
            var sentinels: [EndpointAddress] = []
            for item in read.list(sentinelsNode, "'redis.sentinels'") ?? [] {
                guard let text = read.string(item, "a sentinel address") else { return nil }
                switch AddressSyntax.endpoint(text.value) {
                case .success(let address): sentinels.append(address)
                case .failure(let problem):
                    log.error("malformed sentinel address '\(text.value)': \(problem.message)", at: item)
                    return nil
                }
            }
            guard !sentinels.isEmpty else {
                log.error("'redis.sentinels' lists no sentinel", at: sentinelsNode)
                return nil
            }
            return RedisSettings(mode: .sentinel, masterName: name.value, sentinels: sentinels)
        }
    }
}
