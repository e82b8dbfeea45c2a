import Yams

extension TopologyDecoder {
    static let redisKeys = ["mode", "master_name", "sentinels", "nodes"]

    /// `redis: {mode: standalone|sentinel|cluster, master_name: ..., sentinels: [host:port, ...],
    /// nodes: [host:port, ...]}`: `master_name` and `sentinels` for Sentinel only, `nodes` (the
    /// Cluster's seeds) for Cluster only.
    func decodeRedis(_ node: Node) -> RedisSettings? {
        guard let fields = read.fields(node, "'redis'", known: Self.redisKeys, required: ["mode"]),
            let modeNode = fields["mode"], let modeText = read.string(modeNode, "'redis.mode'")
        else { return nil }
        guard let mode = RedisSettings.Mode(rawValue: modeText.value) else {
            let known = RedisSettings.Mode.allCases.map(\.rawValue).joined(separator: ", ")
            log.error("unknown 'redis.mode' '\(modeText.value)'; expected one of: \(known)", at: modeNode)
            return nil
        }
        let owners = ["master_name": RedisSettings.Mode.sentinel, "sentinels": .sentinel, "nodes": .cluster]
        for key in ["master_name", "sentinels", "nodes"] {
            guard let extra = fields[key], let owner = owners[key], owner != mode else { continue }
            log.error("'redis.\(key)' is only for 'mode: \(owner.rawValue)'", at: extra)
            return nil
        }
        switch mode {
        case .standalone:
            return .standalone
        case .cluster:
            guard let nodesNode = fields["nodes"] else {
                log.error("'redis.mode: cluster' needs 'nodes'", at: node)
                return nil
            }
            guard let nodes = addresses(nodesNode, "'redis.nodes'", "Cluster node") else { return nil }
            return RedisSettings(mode: .cluster, nodes: nodes)
        case .sentinel:
            guard let nameNode = fields["master_name"], let sentinelsNode = fields["sentinels"] else {
                log.error("'redis.mode: sentinel' needs 'master_name' and 'sentinels'", at: node)
                return nil
            }
            guard let name = read.string(nameNode, "'redis.master_name'") else { return nil }
            guard let sentinels = addresses(sentinelsNode, "'redis.sentinels'", "sentinel") else { return nil }
            return RedisSettings(mode: .sentinel, masterName: name.value, sentinels: sentinels)
        }
    }

    /// A non-empty list of `host:port` addresses; nil (with the problem logged) otherwise.
    private func addresses(_ listNode: Node, _ what: String, _ kind: String) -> [EndpointAddress]? {
        var addresses: [EndpointAddress] = []
        for item in read.list(listNode, what) ?? [] {
            guard let text = read.string(item, "a \(kind) address") else { return nil }
            switch AddressSyntax.endpoint(text.value) {
            case .success(let address): addresses.append(address)
            case .failure(let problem):
                log.error("malformed \(kind) address '\(text.value)': \(problem.message)", at: item)
                return nil
            }
        }
        guard !addresses.isEmpty else {
            log.error("\(what) lists no \(kind)", at: listNode)
            return nil
        }
        return addresses
    }
}
