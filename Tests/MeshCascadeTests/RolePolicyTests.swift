import MeshCluster
import MeshEdge
import MeshOrigin
import MeshRTC
import MeshRecorder
import MeshRelay
import Testing

@testable import MeshCascade

/// What each role module states, and the node settings and engine limits that follow from it.
@Suite struct RolePolicyTests {
    @Test func eachRoleStatesWhatItAccepts() {
        let origin = OriginNode.policy
        #expect(origin.role == .origin)
        #expect(origin.acceptsPublishers && origin.servesViewers && !origin.needsRedis && origin.isBuilt)
        #expect(origin.position == .root)

        let relay = RelayNode.policy
        #expect(relay.role == .relay)
        #expect(!relay.acceptsPublishers && !relay.servesViewers && relay.needsRedis && relay.isBuilt)
        #expect(relay.position == .inner)

        let edge = EdgeNode.policy
        #expect(edge.role == .edge)
        #expect(!edge.acceptsPublishers && edge.servesViewers && edge.needsRedis && edge.isBuilt)
        #expect(edge.position == .leaf)

        // What a recorder will be: it pulls streams, takes no publishers and no WHEP viewers.
        let recorder = RecorderNode.policy
        #expect(recorder.role == .recorder)
        #expect(!recorder.acceptsPublishers && !recorder.servesViewers && recorder.needsRedis)
        #expect(recorder.position == .leaf)
        #expect(recorder.isBuilt)
    }

    @Test func treePositionsOrderUpstreamFirst() {
        #expect(TreePosition.allCases.sorted() == [.root, .inner, .leaf])
        #expect(OriginNode.policy.position < RelayNode.policy.position)
        #expect(RelayNode.policy.position < EdgeNode.policy.position)
    }

    @Test func drainingSaysWhatStaysForEachRole() {
        #expect(OriginNode.policy.drainEffect.hasPrefix("its publishers and viewers stay"))
        #expect(EdgeNode.policy.drainEffect.hasPrefix("its viewers keep watching until they leave"))
        #expect(RelayNode.policy.drainEffect == "streams it carries keep flowing; new paths avoid it.")
        // A recorder has no sessions to wait for: it stops at once and closes its segments.
        #expect(RecorderNode.policy.drainEffect == "its recordings close their segments; new paths avoid it.")
    }

    @Test func onlyRolesWhosePolicyNeedsRedisRefuseToStartWithoutIt() throws {
        let environment = ["TOKEN": "a token secret long enough"]
        let origin = try NodeSettings(
            topology: Self.topology, id: "origin", policy: OriginNode.policy, environment: environment)
        #expect(origin.redis == nil)
        #expect(origin.policy == OriginNode.policy)
        for (id, policy) in [("relay", RelayNode.policy), ("edge-a", EdgeNode.policy)] {
            let error = #expect(throws: NodeSettingsError.self) {
                try NodeSettings(topology: Self.topology, id: id, policy: policy, environment: environment)
            }
            guard case .missingRedis(SecretNames.defaultRedisURLVariable, policy.role) = error else {
                Issue.record("\(id): expected missingRedis, got \(String(describing: error))")
                continue
            }
        }
        let mesh = environment.merging(
            ["MESHCAST_REDIS_URL": "redis://127.0.0.1:1", "CLUSTER": "a cluster secret long enough"]
        ) { first, _ in first }
        let edge = try NodeSettings(topology: Self.topology, id: "edge-a", policy: EdgeNode.policy, environment: mesh)
        #expect(edge.redis != nil)
    }

    @Test func aNodeStartedWithAnotherRolesPolicyIsRefused() {
        let error = #expect(throws: NodeSettingsError.self) {
            try NodeSettings(
                topology: Self.topology, id: "edge-a", policy: OriginNode.policy,
                environment: ["TOKEN": "a token secret long enough"])
        }
        #expect(error?.description == "edge-a is an edge in the topology, not an origin")
    }

    @Test func theEngineTakesPublishersOnlyWhereThePolicySays() throws {
        let topology = Self.topology
        for node in topology.nodes {
            let policy = MeshFixture.policy(for: node.role)
            let limits = SessionLimits(node: node, topology: topology, policy: policy)
            #expect(limits.acceptsPublishers == (node.role == .origin), "\(node.id)")
            #expect(limits.capacity == node.capacity)
        }
        let settings = try NodeSettings(
            topology: topology, id: "origin", policy: OriginNode.policy,
            environment: ["TOKEN": "a token secret long enough"])
        #expect(settings.engine.limits.acceptsPublishers)
    }

    /// The fixture mesh with one worker per node, so that settings fit any machine's core count.
    static var topology: Topology {
        var topology = MeshFixture.topology()
        topology.nodes = topology.nodes.map { node in
            var node = node
            node.workers = WorkerPlan(count: 1, pinning: .inOrder)
            return node
        }
        return topology
    }
}
