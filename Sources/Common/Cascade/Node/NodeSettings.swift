import Foundation
import MeshCluster
import MeshCrypto
import MeshRTC
import MeshRuntime

/// Everything a node process needs, read from its topology entry and the environment.
public struct NodeSettings: Sendable {
    /// The node's entry in the topology.
    public var node: TopologyNode
    /// What the node's role does (from its role module).
    public var policy: RolePolicy
    /// The media engine's configuration.
    public var engine: MediaEngineConfiguration
    /// Where and how the workers run.
    public var workers: WorkerGroupConfiguration
    /// The secret that signs stream tokens (from the variable the topology names).
    public var tokenSecret: [UInt8]
    /// Named token keys for rotation (`MESHCAST_TOKEN_KEYS=kid1:secret1,kid2:secret2`, newest
    /// first); none when unset.
    public var tokenKeys: [TokenKey] = []
    /// STUN/TURN URLs offered to clients in WHIP/WHEP `Link` headers (`MESHCAST_ICE_SERVERS`,
    /// comma-separated); none by default, since an ICE-lite node on a public address needs none.
    public var iceServers: [String]
    /// Where the mesh's Redis is (the URL in the variable `topology.secrets.redisURLVariable`
    /// names, or the topology's Sentinel set); `nil` runs an origin as a single SFU. Roles whose
    /// policy needs Redis cannot run without it.
    public var redis: RedisTarget?
    /// The secret the internal node API is signed with (from the variable
    /// `topology.secrets.clusterSecretVariable` names); set whenever `redis` is.
    public var clusterSecret: [UInt8]?
    /// The TURN REST secrets (from the variable `topology.secrets.turnSecretVariable` names, a
    /// comma-separated list for rotation, newest first); empty when unset.
    public var turnSecrets: [String] = []
    /// The catalog's PostgreSQL URL (from the variable `topology.secrets.catalogURLVariable`
    /// names), if set: in a mesh, the node then copies the audit stream into the catalog's
    /// `security_audit_log`.
    public var catalogURL: String?
    /// `MESHCAST_TEST_FAULTS=1`: the internal API takes test-fault requests (load tests).
    public var testFaults = false

    /// Reads the settings of node `id` in `topology`, a node of `policy`'s role, with secrets
    /// from `environment`.
    public init(
        topology: Topology, id: String, policy: RolePolicy, environment: [String: String]
    ) throws(NodeSettingsError) {
        guard let node = topology.node(id: id) else {
            throw .unknownNode(id, known: topology.nodes.map(\.id))
        }
        guard node.role == policy.role else { throw .wrongRole(id, role: node.role, policy: policy.role) }
        let variable = topology.secrets.tokenSecretVariable
        guard let secret = environment[variable], !secret.isEmpty else { throw .missingSecret(variable) }
        guard secret.utf8.count >= 16 else { throw .weakSecret(variable) }
        self.node = node
        self.policy = policy
        tokenSecret = Array(secret.utf8)
        do {
            tokenKeys = try TokenKeyRing.parse(environment[TokenKeyRing.environmentVariable] ?? "")
        } catch {
            throw .badTokenKeys(error.description)
        }
        (redis, clusterSecret) = try Self.meshSettings(
            for: node, policy: policy, topology: topology, environment: environment)
        iceServers = (environment["MESHCAST_ICE_SERVERS"] ?? "").split(separator: ",").map {
            $0.trimmingCharacters(in: .whitespaces)
        }.filter { !$0.isEmpty }
        var engine = MediaEngineConfiguration(
            nodeID: node.id, role: node.role.rawValue, mediaHost: node.mediaHost, announceIP: node.announceIP,
            firstPort: node.ports.first)
        if let rate = environment["MESHCAST_TEST_DROP_EGRESS"].flatMap(Double.init), (0..<1).contains(rate) {
            engine.egressDropRate = rate
        }
        if let rate = environment["MESHCAST_TEST_DROP_LINK"].flatMap(Double.init), (0..<1).contains(rate) {
            engine.linkDropRate = rate
        }
        if let path = environment["MESHCAST_TRACE_HOPS"], !path.isEmpty { engine.hopTracePath = path }
        engine.limits = SessionLimits(node: node, topology: topology, policy: policy)
        engine.declaredStreamTTLSeconds = Double(topology.policies.declaredStreamTTL)
        if let start = topology.policies.viewerStartBitrate { engine.viewerStartBitrate = UInt64(start) }
        testFaults = environment["MESHCAST_TEST_FAULTS"] == "1"
        catalogURL = environment[topology.secrets.catalogURLVariable].flatMap { $0.isEmpty ? nil : $0 }
        if let variable = topology.secrets.turnSecretVariable, let text = environment[variable] {
            turnSecrets = text.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }.filter {
                !$0.isEmpty
            }
        }
        self.engine = engine
        workers = WorkerGroupConfiguration(placement: Self.placement(for: node.workers))
        let count = (try? CPUTopology.cpus(for: workers.placement).count) ?? 1
        guard count <= node.ports.count else { throw .tooFewPorts(node.ports.description, workers: count) }
    }

    /// The Redis target and cluster secret: both or neither, and both for roles whose policy
    /// needs Redis (relays, edges, recorders), which only exist as part of a mesh. A Sentinel
    /// set named in the topology is always used; a standalone server when its URL is set.
    static func meshSettings(
        for node: TopologyNode, policy: RolePolicy, topology: Topology, environment: [String: String]
    ) throws(NodeSettingsError) -> (RedisTarget?, [UInt8]?) {
        let secrets = topology.secrets
        let urlVariable = secrets.redisURLVariable
        let url = environment[urlVariable].flatMap { $0.isEmpty ? nil : $0 }
        guard url != nil || (topology.redis?.mode ?? .standalone) != .standalone else {
            guard !policy.needsRedis else { throw .missingRedis(urlVariable, role: node.role) }
            return (nil, nil)
        }
        let endpoint: RedisTarget
        do {
            endpoint = try RedisTarget(settings: topology.redis, url: url, environment: environment)
        } catch {
            throw .invalidRedisURL(urlVariable, reason: error.description)
        }
        let secretVariable = secrets.clusterSecretVariable
        guard let secret = environment[secretVariable], !secret.isEmpty else {
            throw .missingClusterSecret(secretVariable, redisVariable: urlVariable)
        }
        guard secret.utf8.count >= 16 else { throw .weakSecret(secretVariable) }
        return (endpoint, Array(secret.utf8))
    }

    /// Topology worker plans in the runtime's terms: a count without CPUs takes the first CPUs
    /// this process may use, round robin when there are more workers than CPUs.
    static func placement(for plan: WorkerPlan) -> CPUPlacement {
        switch plan.pinning {
        case .cpus(let cpus): return .cpus(plan.count.map { Array(cpus.prefix($0)) } ?? cpus)
        case .numaNode(let node): return .numaNode(node)
        case .inOrder:
            guard let count = plan.count else { return .onePerCore }
            let available = CPUTopology.affinity()
            guard !available.isEmpty else { return .onePerCore }
            return .cpus((0..<count).map { available[$0 % available.count] })
        }
    }
}

/// Why a node cannot start.
public enum NodeSettingsError: Error, CustomStringConvertible {
    /// No node with this id in the topology.
    case unknownNode(String, known: [String])
    /// The node's role in the topology is not the role of the policy it was started with.
    case wrongRole(String, role: NodeRole, policy: NodeRole)
    /// The token secret's environment variable is not set.
    case missingSecret(String)
    /// The token secret is too short to be safe.
    case weakSecret(String)
    /// `MESHCAST_TOKEN_KEYS` cannot be read; says why.
    case badTokenKeys(String)
    /// The port range cannot give each worker a port.
    case tooFewPorts(String, workers: Int)
    /// A role that needs Redis was started without the Redis URL variable.
    case missingRedis(String, role: NodeRole)
    /// The Redis URL variable does not hold a usable URL.
    case invalidRedisURL(String, reason: String)
    /// Redis is configured but the cluster secret's variable is not set.
    case missingClusterSecret(String, redisVariable: String)

    /// A sentence for the operator.
    public var description: String {
        switch self {
        case .unknownNode(let id, let known):
            "no node '\(id)' in the topology (nodes: \(known.joined(separator: ", ")))"
        case .wrongRole(let id, let role, let policy):
            "\(id) is \(Self.named(role)) in the topology, not \(Self.named(policy))"
        case .missingSecret(let variable): "\(variable) is not set: it holds the secret that signs stream tokens"
        case .weakSecret(let variable): "\(variable) is shorter than 16 bytes: use a long random secret"
        case .badTokenKeys(let reason): reason
        case .missingRedis(let variable, let role):
            "\(variable) is not set: \(Self.named(role)) runs only as part of a mesh and needs the mesh's Redis URL "
                + "(redis://host:port); `meshcast up` starts a local redis-server when it is unset"
        case .invalidRedisURL(let variable, let reason): "\(variable): \(reason)"
        case .missingClusterSecret(let variable, let redisVariable):
            "\(variable) is not set: with \(redisVariable) set the node joins a mesh, and the cluster secret "
                + "authenticates its internal API (16 bytes or more)"
        case .tooFewPorts(let range, let workers): "port range \(range) is too small for \(workers) workers"
        }
    }

    /// "an edge", "a relay".
    private static func named(_ role: NodeRole) -> String {
        (role == .edge || role == .origin ? "an " : "a ") + role.rawValue
    }
}
