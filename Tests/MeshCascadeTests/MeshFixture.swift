import Logging
import MeshCluster
import MeshControl
import MeshCrypto
import MeshEdge
import MeshOrigin
import MeshRTC
import MeshRecorder
import MeshRelay
import MeshTestSupport
import Testing

@testable import MeshCascade

/// A two-region mesh for the coordinator tests: region `a` (10.1.0.0/16) holds the origin and
/// edge-a, region `b` (10.2.0.0/16) the relay and edge-b, 40 ms apart. Allowed links:
/// origin → relay, origin → edge-a, relay → edge-a, relay → edge-b; so edge-b is reached only
/// through the relay, and edge-a either directly or through the relay.
enum MeshFixture {
    static func node(_ id: String, _ role: NodeRole, _ region: String, port: UInt16) -> TopologyNode {
        guard let ports = PortRange(first: port &+ 1000, last: port &+ 1009) else { fatalError("port range") }
        return TopologyNode(
            id: id, role: role, region: region, api: EndpointAddress(host: "127.0.0.1", port: port),
            mediaHost: "127.0.0.1", announceIP: "127.0.0.1", ports: ports, workers: .perCore,
            capacity: NodeCapacity(sessions: 100))
    }

    static func topology(unsubscribeAfterSeconds: Int = 30, policies: StreamPolicies = .none) -> Topology {
        Topology(
            mesh: "test",
            regions: [
                Region(name: "a", cidrs: [CIDRBlock(address: "10.1.0.0", prefixLength: 16)]),
                Region(name: "b", cidrs: [CIDRBlock(address: "10.2.0.0", prefixLength: 16)]),
            ],
            latencies: [RegionLatency(first: "a", second: "b", milliseconds: 40)],
            nodes: [
                node("origin", .origin, "a", port: 18001), node("relay", .relay, "b", port: 18002),
                node("edge-a", .edge, "a", port: 18003), node("edge-b", .edge, "b", port: 18004),
            ],
            links: [
                LinkRule(from: "origin", to: "relay"), LinkRule(from: "origin", to: "edge-a"),
                LinkRule(from: "relay", to: "edge-a"), LinkRule(from: "relay", to: "edge-b"),
            ],
            secrets: SecretNames(clusterSecretVariable: "CLUSTER", tokenSecretVariable: "TOKEN"),
            policies: policies, edge: EdgeOptions(unsubscribeAfterSeconds: unsubscribeAfterSeconds))
    }

    /// The policy each role module states, as `meshcast` picks it by the topology's role.
    static func policy(for role: NodeRole) -> RolePolicy {
        switch role {
        case .origin: OriginNode.policy
        case .relay: RelayNode.policy
        case .edge: EdgeNode.policy
        case .recorder: RecorderNode.policy
        }
    }

    /// The intake each role module states, as `meshcast` runs it with its node.
    static func intake(for role: NodeRole) -> RoleIntake {
        switch role {
        case .origin: OriginNode.intake
        case .relay: RelayNode.intake
        case .edge: EdgeNode.intake
        case .recorder: RecorderNode.intake
        }
    }

    /// The cluster secret of every test mesh.
    static let clusterSecret = Array("test cluster secret, 32 bytes ok".utf8)

    /// The grant signer every node of a test mesh shares.
    static func grants() throws -> PlacementGrantSigner {
        try PlacementGrantSigner(clusterSecret: clusterSecret)
    }

    /// What `node` heartbeats when alive with room: 100 sessions, 1 Gbit/s, no load.
    static func status(of node: TopologyNode, updatedAt: UInt64 = 1) -> NodeStatus {
        NodeStatus(
            id: node.id, role: node.role, region: node.region, apiURL: "http://\(node.api)",
            mediaAddress: "127.0.0.1:\(node.ports.first)",
            capacity: NodeStatus.Capacity(sessions: 100, egressBitsPerSecond: 1_000_000_000), updatedAt: updatedAt)
    }

    /// A stream published on the origin: Opus audio and VP8 video under mesh SSRCs.
    static let record = StreamRecord(
        name: "live", originNode: "origin",
        tracks: [
            MeshTrack(trackID: "0", kind: .audio, ssrc: 0x1111, codec: "opus", payloadType: 111, clockRate: 48000),
            MeshTrack(trackID: "1", kind: .video, ssrc: 0x2222, codec: "VP8", payloadType: 96, clockRate: 90000),
        ], startedAt: 1_700_000_000_000)
}

/// One test's world: a Redis (a server of its own, a shared Sentinel set or Cluster, or a private
/// Redis of any kind for a test that stops it), a client, the fake internal API and one
/// coordinator and fake data plane per node asked for.
final class MeshWorld {
    /// The server `init(nodes:)` started, kept alive for the world.
    private let standaloneServer: RedisTestServer?
    /// The test's private Redis (`withOwnRedis`), which outage tests stop and restart.
    private let ownRedis: PrivateRedis?
    let redis: RedisClient
    let topology: Topology
    let mesh: FakeMesh
    var planes: [String: FakeDataPlane] = [:]
    var coordinators: [String: MeshCoordinator] = [:]

    /// A world with a coordinator for each of `nodes`, each with its role's policy and intake
    /// unless `roles` names another (to show that the coordinator follows what it is given).
    convenience init(
        nodes: [String], unsubscribeAfterSeconds: Int = 30, policies: StreamPolicies = .none,
        grantLifetime: Duration = MeshCoordinator.defaultGrantLifetime, roles: [String: NodeRole] = [:]
    ) async throws {
        let server = try RedisTestServer()
        try await self.init(
            server: server, own: nil, target: .standalone(server.endpoint), nodes: nodes,
            unsubscribeAfterSeconds: unsubscribeAfterSeconds, policies: policies, grantLifetime: grantLifetime,
            roles: roles)
    }

    /// Runs `body` in a world on a Redis of `kind` (`RedisTestBackend`: a shared Sentinel set or
    /// Cluster is leased for the test and emptied first); the client is shut down before the
    /// lease goes to the next test.
    static func with(
        _ kind: RedisTestKind, nodes: [String], unsubscribeAfterSeconds: Int = 30, policies: StreamPolicies = .none,
        grantLifetime: Duration = MeshCoordinator.defaultGrantLifetime, roles: [String: NodeRole] = [:],
        _ body: (MeshWorld) async throws -> Void
    ) async throws {
        try await RedisTestBackend.with(kind) { target in
            let world = try await MeshWorld(
                server: nil, own: nil, target: target, nodes: nodes, unsubscribeAfterSeconds: unsubscribeAfterSeconds,
                policies: policies,
                grantLifetime: grantLifetime, roles: roles)
            try await world.run(body)
        }
    }

    /// Runs `body` in a world on a private Redis of `kind` (`PrivateRedis`: a server, Sentinel set
    /// or Cluster of the test's own), which the test may stop and restart through `server`
    /// without disturbing the suites that share a set.
    static func withOwnRedis(
        _ kind: RedisTestKind, nodes: [String], roles: [String: NodeRole] = [:],
        _ body: (MeshWorld) async throws -> Void
    ) async throws {
        try await PrivateRedis.with(kind) { redis in
            let world = try await MeshWorld(
                server: nil, own: redis, target: redis.target, nodes: nodes, unsubscribeAfterSeconds: 30,
                policies: .none, grantLifetime: MeshCoordinator.defaultGrantLifetime, roles: roles)
            try await world.run(body)
        }
    }

    /// Runs `body`, then shuts the client down (before its Redis goes), whether or not it threw.
    private func run(_ body: (MeshWorld) async throws -> Void) async throws {
        do {
            try await body(self)
        } catch {
            await redis.shutdown()
            throw error
        }
        await redis.shutdown()
    }

    private init(
        server: RedisTestServer?, own: PrivateRedis?, target: RedisTarget, nodes: [String],
        unsubscribeAfterSeconds: Int, policies: StreamPolicies, grantLifetime: Duration, roles: [String: NodeRole]
    ) async throws {
        standaloneServer = server
        ownRedis = own
        redis = RedisClient(target: target)
        await redis.waitUntil(available: true)
        topology = MeshFixture.topology(unsubscribeAfterSeconds: unsubscribeAfterSeconds, policies: policies)
        mesh = FakeMesh(topology: topology)
        for id in nodes {
            let plane = FakeDataPlane(nodeID: id)
            guard let role = roles[id] ?? topology.node(id: id)?.role else {
                fatalError("no node \(id) in the fixture")
            }
            let coordinator = MeshCoordinator(
                topology: topology, nodeID: id, policy: MeshFixture.policy(for: role),
                intake: MeshFixture.intake(for: role), dataPlane: plane, redis: redis,
                api: mesh,
                grants: try MeshFixture.grants(), grantLifetime: grantLifetime, logger: Logger(label: "test.\(id)"))
            planes[id] = plane
            coordinators[id] = coordinator
            mesh.add(id, coordinator)
        }
        // Every node of the topology alive with room; a long expiry so a slow machine cannot age them out.
        let registry = NodeRegistry(client: redis, ttl: .seconds(120))
        for node in topology.nodes {
            try await registry.heartbeat(MeshFixture.status(of: node))
        }
    }

    /// A grant placement would give a client for `node`, signed with the test mesh's secret. It
    /// lasts a minute by default, not placement's 5 s, so that a test slowed down by a loaded
    /// machine (CI runs the suites in parallel) still redeems it; tests of expiry pass `expiresIn`.
    func grant(
        _ node: String, _ stream: String, action: StreamAction = .view, id: String = PlacementGrants.grantID(),
        expiresIn milliseconds: Int64 = 60_000
    ) throws -> String {
        let expiry = Int64(WallClock.milliseconds()) + milliseconds
        return try MeshFixture.grants().sign(
            PlacementGrant(
                node: node, stream: stream, action: action, id: id, reserved: false, expiresAt: UInt64(max(expiry, 0))))
    }

    /// The test's private Redis, to stop and restart (only a world made by `withOwnRedis` has one).
    var server: PrivateRedis {
        guard let ownRedis else { fatalError("only a world made by withOwnRedis has a Redis to stop") }
        return ownRedis
    }

    /// The fake data plane of a node the world was made with (a test naming another is wrong).
    func plane(_ id: String) -> FakeDataPlane {
        guard let plane = planes[id] else { fatalError("no node \(id) in this test's world") }
        return plane
    }

    /// The coordinator of a node the world was made with.
    func coordinator(_ id: String) -> MeshCoordinator {
        guard let coordinator = coordinators[id] else { fatalError("no node \(id) in this test's world") }
        return coordinator
    }

    /// The origin publishes the fixture stream: its data plane carries it and Redis knows it.
    func publishOnOrigin() async throws {
        plane("origin").publish(MeshFixture.record)
        try await StreamDirectory(client: redis).register(MeshFixture.record)
    }

    deinit {
        let redis = redis
        Task { await redis.shutdown() }
    }
}
