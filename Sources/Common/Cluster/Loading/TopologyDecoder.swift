import Yams

/// Turns the YAML tree of a topology file into a `TopologyDraft`, reporting every key that is
/// unknown, missing or of the wrong type, and every value whose syntax is wrong. Checks that
/// need more than one value (duplicates, references) belong to `TopologyValidator`.
struct TopologyDecoder {
    let log: DiagnosticLog
    var read: YAMLValueReading { YAMLValueReading(log: log) }

    init(log: DiagnosticLog) {
        self.log = log
    }

    static let topLevelKeys = [
        "mesh", "regions", "latency", "nodes", "links", "secrets", "trusted_proxies", "policies", "edge",
        "webhooks", "redis",
    ]
    static let regionKeys = ["name", "cidrs", "coordinates"]
    static let latencyKeys = ["between", "ms"]
    static let nodeKeys = [
        "id", "role", "region", "api", "media", "announce", "ports", "workers", "capacity",
        "turn", "storage",
    ]
    static let workerKeys = ["count", "cpus", "numa"]
    static let capacityKeys = ["sessions", "egress_mbps", "viewers", "publishers"]
    static let linkKeys = ["from", "to"]
    static let secretKeys = ["cluster", "token", "redis", "turn", "postgres"]

    func decode(_ root: Node) -> TopologyDraft {
        var draft = TopologyDraft()
        guard
            let fields = read.fields(
                root,
                "the topology",
                known: Self.topLevelKeys,
                required: ["mesh", "regions", "nodes", "secrets"]
            )
        else { return draft }
        draft.mesh = fields["mesh"].flatMap { read.string($0, "'mesh'") }
        draft.regions = items(fields["regions"], "'regions'").map(decodeRegion)
        draft.latencies = items(fields["latency"], "'latency'").map(decodeLatency)
        draft.nodes = items(fields["nodes"], "'nodes'").map(decodeNode)
        draft.links = items(fields["links"], "'links'").flatMap(decodeLinks)
        draft.secrets = fields["secrets"].flatMap(decodeSecrets)
        draft.trustedProxies = fields["trusted_proxies"].map(decodeTrustedProxies) ?? []
        if let policies = fields["policies"] {
            draft.policies = decodePolicies(policies)
        }
        if let edge = fields["edge"] {
            draft.edge = decodeEdgeOptions(edge)
        }
        if let redis = fields["redis"] {
            draft.redis = decodeRedis(redis)
        }
        if let webhooks = fields["webhooks"] {
            draft.webhooks = decodeWebhooks(webhooks)
        }
        return draft
    }

    /// The items of an optional list key; an absent key is an empty list.
    private func items(_ node: Node?, _ what: String) -> [Node] {
        node.flatMap { read.list($0, what) } ?? []
    }

    private func decodeRegion(_ node: Node) -> RegionDraft {
        var draft = RegionDraft()
        guard let fields = read.fields(node, "region", known: Self.regionKeys, required: ["name"]) else {
            return draft
        }
        draft.name = fields["name"].flatMap { read.string($0, "region 'name'") }
        for cidrNode in fields["cidrs"].flatMap({ read.list($0, "'cidrs'") }) ?? [] {
            guard let text = read.string(cidrNode, "a CIDR") else { continue }
            switch AddressSyntax.cidr(text.value) {
            case .success(let block): draft.cidrs.append(block)
            case .failure(let problem): log.error("malformed CIDR '\(text.value)': \(problem.message)", at: cidrNode)
            }
        }
        if let coordinatesNode = fields["coordinates"] {
            draft.coordinates = decodeCoordinates(coordinatesNode)
        }
        return draft
    }

    private func decodeCoordinates(_ node: Node) -> GeoCoordinates? {
        guard
            let fields = read.fields(node, "'coordinates'", known: ["lat", "lon"], required: ["lat", "lon"]),
            let latitude = fields["lat"].flatMap({ read.number($0, "'lat'") }),
            let longitude = fields["lon"].flatMap({ read.number($0, "'lon'") })
        else { return nil }
        var valid = true
        if !(-90...90).contains(latitude.value) {
            log.error("latitude \(latitude.value) is outside -90...90", at: latitude.location)
            valid = false
        }
        if !(-180...180).contains(longitude.value) {
            log.error("longitude \(longitude.value) is outside -180...180", at: longitude.location)
            valid = false
        }
        return valid ? GeoCoordinates(latitude: latitude.value, longitude: longitude.value) : nil
    }

    private func decodeLatency(_ node: Node) -> LatencyDraft {
        var draft = LatencyDraft(location: log.location(of: node))
        guard
            let fields = read.fields(node, "latency entry", known: Self.latencyKeys, required: ["between", "ms"])
        else { return draft }
        if let betweenNode = fields["between"], let names = read.list(betweenNode, "'between'") {
            let regions = names.compactMap { read.string($0, "a region name") }
            if names.count == 2 {
                draft.regions = regions
            } else {
                log.error("'between' must name exactly two regions, found \(names.count)", at: betweenNode)
            }
        }
        if let milliseconds = fields["ms"].flatMap({ read.number($0, "'ms'") }) {
            if milliseconds.value < 0 {
                log.error(
                    "latency must be zero or more milliseconds, found \(milliseconds.value)", at: milliseconds.location)
            } else {
                draft.milliseconds = milliseconds.value
            }
        }
        return draft
    }

    private func decodeNode(_ node: Node) -> NodeDraft {
        var draft = NodeDraft(location: log.location(of: node))
        guard
            let fields = read.fields(
                node,
                "node",
                known: Self.nodeKeys,
                required: ["id", "role", "region", "api", "media", "announce", "ports"]
            )
        else { return draft }
        draft.id = fields["id"].flatMap { read.string($0, "node 'id'") }
        if let roleNode = fields["role"], let role = read.string(roleNode, "'role'") {
            draft.role = NodeRole(rawValue: role.value)
            if draft.role == nil {
                let roles = NodeRole.allCases.map(\.rawValue)
                let hint = NearestName.hint(for: role.value, among: roles)
                log.error(
                    "invalid role '\(role.value)' (expected one of: \(roles.joined(separator: ", ")))\(hint)",
                    at: role.location
                )
            }
        }
        draft.region = fields["region"].flatMap { read.string($0, "'region'") }
        if let api = fields["api"].flatMap({ read.string($0, "'api'") }) {
            switch AddressSyntax.endpoint(api.value) {
            case .success(let address): draft.api = Located(value: address, location: api.location)
            case .failure(let problem):
                log.error("malformed API address '\(api.value)': \(problem.message)", at: api.location)
            }
        }
        if let media = fields["media"].flatMap({ read.string($0, "'media'") }) {
            switch AddressSyntax.host(media.value) {
            case .success(let host): draft.mediaHost = host
            case .failure(let problem):
                log.error(
                    "malformed media host '\(media.value)': \(problem.message) (the port range goes in 'ports')",
                    at: media.location)
            }
        }
        if let announce = fields["announce"].flatMap({ read.string($0, "'announce'") }) {
            if AddressSyntax.ipFamily(of: announce.value) == nil {
                log.error(
                    "malformed announce IP '\(announce.value)': expected an IPv4 or IPv6 address", at: announce.location
                )
            } else if AddressSyntax.isUnspecified(announce.value) {
                log.error(
                    "announce IP '\(announce.value)' is unspecified; ICE candidates need an address peers can reach",
                    at: announce.location)
            } else {
                draft.announceIP = announce.value
            }
        }
        if let ports = fields["ports"].flatMap({ read.string($0, "'ports'") }) {
            switch AddressSyntax.portRange(ports.value) {
            case .success(let range): draft.ports = Located(value: range, location: ports.location)
            case .failure(let problem):
                log.error("bad port range '\(ports.value)': \(problem.message)", at: ports.location)
            }
        }
        draft.workers = fields["workers"].map(decodeWorkers) ?? .perCore
        draft.capacity = fields["capacity"].flatMap(decodeCapacity)
        if let turn = fields["turn"] {
            if let decoded = decodeTURN(turn) {
                draft.turn = decoded.listeners
                draft.turnLocations = decoded.locations
            }
            draft.turnWritten = log.location(of: turn)
        }
        if let storage = fields["storage"] {
            draft.storage = decodeStorage(storage)
            draft.storageWritten = log.location(of: storage)
        }
        return draft
    }

    private func decodeWorkers(_ node: Node) -> WorkerPlan? {
        if case .scalar = node {
            guard let count = positiveCount(node, "worker count") else { return nil }
            return WorkerPlan(count: count, pinning: .inOrder)
        }
        guard let fields = read.fields(node, "'workers'", known: Self.workerKeys) else { return nil }
        var valid = true
        var count: Int?
        if let countNode = fields["count"] {
            count = positiveCount(countNode, "worker count")
            valid = valid && count != nil
        }
        var pinning = CPUPinning.inOrder
        switch (fields["cpus"], fields["numa"]) {
        case (.some(let cpusNode), .some):
            log.error(
                "workers give both 'cpus' and 'numa'; pin to a CPU list or to a NUMA node, not both", at: cpusNode)
            valid = false
        case (.some(let cpusNode), nil):
            if let cpus = decodeCPUList(cpusNode) {
                pinning = .cpus(cpus)
                if let count, count != cpus.count {
                    log.error(
                        "worker count \(count) does not match the \(cpus.count) CPUs listed in 'cpus'",
                        at: fields["count"] ?? node)
                    valid = false
                }
            } else {
                valid = false
            }
        case (nil, .some(let numaNode)):
            if let numa = read.integer(numaNode, "'numa'") {
                if numa.value >= 0 {
                    pinning = .numaNode(numa.value)
                } else {
                    log.error("NUMA node must be 0 or more, found \(numa.value)", at: numaNode)
                    valid = false
                }
            } else {
                valid = false
            }
        case (nil, nil):
            if fields["count"] == nil {
                log.error("'workers' mapping needs 'count', 'cpus' or 'numa'", at: node)
                valid = false
            }
        }
        return valid ? WorkerPlan(count: count, pinning: pinning) : nil
    }

    private func decodeCPUList(_ node: Node) -> [Int]? {
        guard let items = read.list(node, "'cpus'") else { return nil }
        guard !items.isEmpty else {
            log.error("'cpus' lists no CPU", at: node)
            return nil
        }
        var cpus: [Int] = []
        var valid = true
        for item in items {
            guard let cpu = read.integer(item, "a CPU number") else {
                valid = false
                continue
            }
            if cpu.value < 0 {
                log.error("CPU number must be 0 or more, found \(cpu.value)", at: item)
                valid = false
            } else if cpus.contains(cpu.value) {
                log.error("CPU \(cpu.value) is listed twice in 'cpus'", at: item)
                valid = false
            }
            cpus.append(cpu.value)
        }
        return valid ? cpus : nil
    }

    /// An integer that must be 1 or more (a count of workers, sessions, megabits).
    func positiveCount(_ node: Node, _ what: String) -> Int? {
        guard let value = read.integer(node, what) else { return nil }
        guard value.value >= 1 else {
            log.error("\(what) must be at least 1, found \(value.value)", at: node)
            return nil
        }
        return value.value
    }

    private func decodeCapacity(_ node: Node) -> NodeCapacity? {
        guard let fields = read.fields(node, "'capacity'", known: Self.capacityKeys) else { return nil }
        return NodeCapacity(
            sessions: fields["sessions"].flatMap { positiveCount($0, "'sessions'") },
            egressMbps: fields["egress_mbps"].flatMap { positiveCount($0, "'egress_mbps'") },
            viewers: fields["viewers"].flatMap { positiveCount($0, "'viewers'") },
            publishers: fields["publishers"].flatMap { positiveCount($0, "'publishers'") }
        )
    }

    /// One `links` entry; `to` may list several nodes, each becoming its own link.
    private func decodeLinks(_ node: Node) -> [LinkDraft] {
        guard
            let fields = read.fields(node, "link", known: Self.linkKeys, required: ["from", "to"]),
            let from = fields["from"].flatMap({ read.string($0, "link 'from'") }),
            let targets = fields["to"].flatMap({ read.stringOrList($0, "link 'to'") })
        else { return [] }
        return targets.map { LinkDraft(from: from, to: $0) }
    }

    private func decodeSecrets(_ node: Node) -> SecretNames? {
        guard
            let fields = read.fields(node, "'secrets'", known: Self.secretKeys, required: ["cluster", "token"]),
            let cluster = fields["cluster"].flatMap({ environmentVariableName($0, "'secrets.cluster'") }),
            let token = fields["token"].flatMap({ environmentVariableName($0, "'secrets.token'") })
        else { return nil }
        // Optional names: a malformed one is reported and the section still fails.
        var valid = true
        func optionalName(_ key: String) -> String? {
            guard let node = fields[key] else { return nil }
            let name = environmentVariableName(node, "'secrets.\(key)'")
            valid = valid && name != nil
            return name
        }
        let redis = optionalName("redis")
        let turn = optionalName("turn")
        let postgres = optionalName("postgres")
        guard valid else { return nil }
        return SecretNames(
            clusterSecretVariable: cluster,
            tokenSecretVariable: token,
            redisURLVariable: redis ?? SecretNames.defaultRedisURLVariable,
            turnSecretVariable: turn,
            postgresURLVariable: postgres
        )
    }

    /// A POSIX environment variable name; anything else is likely a secret pasted by mistake,
    /// so the message says so without echoing the value.
    private func environmentVariableName(_ node: Node, _ what: String) -> String? {
        guard let name = read.string(node, what) else { return nil }
        let scalars = name.value.unicodeScalars
        let isName =
            scalars.first.map { $0 == "_" || ($0.isASCII && $0.properties.isAlphabetic) } == true
            && scalars.allSatisfy {
                $0 == "_" || ($0.isASCII && ($0.properties.isAlphabetic || ("0"..."9").contains($0)))
            }
        guard isName else {
            log.error(
                "\(what) must be the name of an environment variable (letters, digits, '_'), never the secret itself",
                at: node
            )
            return nil
        }
        return name.value
    }
}
