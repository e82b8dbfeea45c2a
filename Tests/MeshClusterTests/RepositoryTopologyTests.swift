import MeshCluster
import Testing

/// The topology files shipped in `topology/` must load cleanly and mean what they say.
@Suite struct RepositoryTopologyTests {
    @Test func localMeshLoadsWithEveryRole() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        #expect(topology.mesh == "local")
        #expect(topology.regions.map(\.name) == ["local-a", "local-b"])
        #expect(topology.nodes.count == 5)
        #expect(topology.nodes(withRole: .origin).map(\.id) == ["origin-1"])
        #expect(topology.nodes(withRole: .relay).map(\.id) == ["relay-1"])
        #expect(Set(topology.nodes(withRole: .edge).map(\.region)) == ["local-a", "local-b"])
        #expect(topology.nodes(withRole: .recorder).count == 1)
        #expect(topology.latency(between: "local-b", and: "local-a") == 12)
        #expect(
            topology.secrets
                == SecretNames(
                    clusterSecretVariable: "MESHCAST_CLUSTER_SECRET", tokenSecretVariable: "MESHCAST_SECRET",
                    redisURLVariable: "MESHCAST_REDIS_URL", turnSecretVariable: "MESHCAST_TURN_SECRET")
        )
        #expect(topology.trustedProxies == [CIDRBlock(address: "127.0.0.1", prefixLength: 32)])
        #expect(topology.node(id: "edge-a")?.turn?.udpPort == 3478)
        #expect(topology.node(id: "edge-b")?.turn?.udpPort == 3479)
        #expect(topology.node(id: "recorder-1")?.storage == RecordingStorage(path: ".build/recordings"))
        #expect(topology.policies.recordsAutomatically("rec-demo"))
        #expect(!topology.policies.recordsAutomatically("demo"))
        #expect(topology.edge.unsubscribeAfterSeconds == 30)
    }

    @Test func localMeshUsesLoopbackPortsThatNeverCollide() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        #expect(topology.nodes.map(\.api.port) == [8080, 8081, 8082, 8083, 8084])
        #expect(topology.nodes.allSatisfy { $0.api.host == "127.0.0.1" && $0.mediaHost == "127.0.0.1" })
        // The origin runs two workers so that a stream's viewers spread over both cores.
        #expect(topology.node(id: "origin-1")?.workers == WorkerPlan(count: 2, pinning: .inOrder))
        #expect(
            topology.nodes.filter { $0.id != "origin-1" }.allSatisfy {
                $0.workers == WorkerPlan(count: 1, pinning: .inOrder)
            })
        for (index, node) in topology.nodes.enumerated() {
            for other in topology.nodes[(index + 1)...] {
                #expect(!node.ports.overlaps(other.ports), "\(node.id) and \(other.id)")
            }
        }
    }

    @Test func localMeshAllowsTheBriefsLinks() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
        let links = Set(topology.links.map { "\($0.from)>\($0.to)" })
        #expect(
            links == [
                "origin-1>relay-1", "origin-1>edge-a", "origin-1>edge-b", "origin-1>recorder-1",
                "relay-1>edge-a", "relay-1>edge-b", "relay-1>recorder-1",
            ]
        )
    }

    @Test func localClusterNamesSixClusterNodes() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/local-cluster.yaml"))
        #expect(topology.redis?.mode == .cluster)
        #expect(topology.redis?.nodes.map(\.port) == [7000, 7001, 7002, 7003, 7004, 7005])
    }

    @Test func multiRegionExampleLoadsWithPinnedWorkers() throws {
        let topology = try TopologyLoader.load(path: FixtureFiles.path("topology/examples/multi-region.yaml"))
        #expect(topology.regions.count == 3)
        #expect(topology.latencies.count == 3)
        #expect(topology.node(id: "origin-eu")?.workers == WorkerPlan(count: nil, pinning: .numaNode(0)))
        #expect(topology.node(id: "relay-eu")?.workers == WorkerPlan(count: nil, pinning: .cpus([2, 3, 4, 5])))
        #expect(topology.node(id: "relay-eu")?.api == EndpointAddress(host: "2001:db8:e0::20", port: 8443))
        // edge-us-1 gives no `workers`: one per core.
        #expect(topology.node(id: "edge-us-1")?.workers == .perCore)
        #expect(topology.node(id: "edge-eu-1")?.announceIP == "192.0.2.31")
        #expect(topology.node(id: "edge-eu-1")?.turn?.tls?.port == 5349)
        #expect(topology.node(id: "recorder-eu")?.storage?.segmentSeconds == 6)
        #expect(topology.policies.maxViewers(for: "keynote-2025") == 60000)
        #expect(topology.policies.maxViewers(for: "town-hall") == 20000)
        #expect(topology.secrets.postgresURLVariable == "MESHCAST_POSTGRES_URL")
        #expect(topology.edge.unsubscribeAfterSeconds == 45)
        #expect(
            topology.regions.first?.cidrs == [
                CIDRBlock(address: "192.0.2.0", prefixLength: 25),
                CIDRBlock(address: "2001:db8:e0::", prefixLength: 48),
            ])
    }
}
