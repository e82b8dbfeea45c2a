import MeshCluster
import Testing

/// `TopologyPlan`: each kind of change between the shipped local topology and an edited copy,
/// and whether running nodes take it live or must restart.
@Suite struct PlanTests {
    private func local() throws -> Topology {
        try TopologyLoader.load(path: FixtureFiles.path("topology/local.yaml"))
    }

    /// The local topology with one edit applied.
    private func edited(_ edit: (inout Topology) -> Void) throws -> Topology {
        var topology = try local()
        edit(&topology)
        return topology
    }

    private func index(of id: String, in topology: Topology) throws -> Int {
        try #require(topology.nodes.firstIndex { $0.id == id })
    }

    @Test func identicalTopologiesPlanNothing() throws {
        let plan = TopologyPlan(from: try local(), to: try local())
        #expect(plan.isEmpty)
        #expect(plan.rendered() == "No changes: the mesh already matches this topology.\n")
    }

    @Test func againstAnEmptyMeshEverythingIsAddedAndEveryNodeStarts() throws {
        let topology = try local()
        let plan = TopologyPlan(from: nil, to: topology)
        #expect(plan.changes.allSatisfy { $0.action == .add })
        let starts = plan.changes.compactMap { change -> String? in
            if case .start(let id) = change.rollout { return id } else { return nil }
        }
        #expect(starts == topology.nodes.map(\.id))
        #expect(plan.changes.filter { if case .link = $0.subject { true } else { false } }.count == 7)
        #expect(plan.changes.map(\.subject).contains(.region("local-b")))
        #expect(plan.changes.map(\.subject).contains(.latency("local-a", "local-b")))
        #expect(plan.changes.map(\.subject).contains(.policies))
        #expect(plan.changes.map(\.subject).contains(.secrets))
        #expect(plan.nodesToRestart.isEmpty)
        let node = try #require(plan.changes.first { $0.subject == .node("edge-a") })
        #expect(node.fields.contains(FieldChange(name: "ports", old: nil, new: "40200-40299", isLive: false)))
    }

    @Test func capacityChangeIsLive() throws {
        let target = try edited { topology in
            if let at = topology.nodes.firstIndex(where: { $0.id == "edge-a" }) {
                topology.nodes[at].capacity?.sessions = 800
            }
        }
        let plan = TopologyPlan(from: try local(), to: target)
        #expect(
            plan.changes == [
                TopologyChange(
                    action: .update, subject: .node("edge-a"),
                    fields: [FieldChange(name: "capacity.sessions", old: "500", new: "800", isLive: true)],
                    rollout: .live)
            ])
    }

    @Test func portsChangeRestartsTheNodeAndTheRenderingSaysWhy() throws {
        let running = try local()
        var target = running
        let at = try index(of: "edge-a", in: target)
        target.nodes[at].ports = try #require(PortRange(first: 40200, last: 40399))
        target.nodes[at].capacity?.viewers = nil
        let plan = TopologyPlan(from: running, to: target)
        #expect(plan.changes.count == 1)
        #expect(plan.changes.first?.rollout == .restart(["edge-a"]))
        #expect(plan.nodesToRestart == ["edge-a"])
        #expect(
            plan.rendered() == """
                ~ node edge-a  (restart edge-a)
                    ~ ports: 40200-40299 -> 40200-40399  [restart]
                    - capacity.viewers: 450 -> (unset)

                Plan: 0 to add, 1 to change, 0 to remove. Live: 0. Restart: edge-a.

                """)
    }

    @Test(arguments: ["api", "announce", "workers", "turn.udp", "turn.tls.cert", "role", "region"])
    func addressesListenersAndPlacementNeedARestart(field: String) throws {
        let running = try local()
        var target = running
        let at = try index(of: "edge-b", in: target)
        switch field {
        case "api": target.nodes[at].api.port = 9083
        case "announce": target.nodes[at].announceIP = "127.0.0.2"
        case "workers": target.nodes[at].workers = WorkerPlan(count: 2, pinning: .inOrder)
        case "turn.udp": target.nodes[at].turn?.udpPort = 3480
        case "turn.tls.cert":
            target.nodes[at].turn?.tls = TURNTLSListener(port: 5350, certificatePath: "b.pem", keyPath: "b.key")
        case "role": target.nodes[at].role = .relay
        default: target.nodes[at].region = "local-a"
        }
        let plan = TopologyPlan(from: running, to: target)
        let change = try #require(plan.changes.first)
        #expect(plan.changes.count == 1)
        #expect(change.subject == .node("edge-b"))
        #expect(change.rollout == .restart(["edge-b"]))
        #expect(change.fields.contains { $0.name == field && !$0.isLive })
    }

    @Test func storageChangeIsLiveForNewRecordings() throws {
        let target = try edited { topology in
            if let at = topology.nodes.firstIndex(where: { $0.id == "recorder-1" }) {
                topology.nodes[at].storage = RecordingStorage(path: "/srv/rec", segmentSeconds: 4)
            }
        }
        let change = try #require(TopologyPlan(from: try local(), to: target).changes.first)
        #expect(change.rollout == .live)
        #expect(change.fields.map(\.name) == ["storage.path", "storage.segment_seconds"])
    }

    @Test func addedNodesStartAndRemovedNodesStop() throws {
        let running = try local()
        var target = running
        var extra = try #require(running.node(id: "edge-b"))
        extra.id = "edge-c"
        extra.api.port = 8085
        target.nodes.removeAll { $0.id == "edge-b" }
        target.links.removeAll { $0.to == "edge-b" }
        target.nodes.append(extra)
        target.links.append(LinkRule(from: "relay-1", to: "edge-c"))
        let plan = TopologyPlan(from: running, to: target)
        #expect(
            plan.changes.map { "\($0.action.rawValue) \($0.subject) (\($0.rollout))" } == [
                "+ node edge-c (start edge-c)",
                "- node edge-b (drain and stop edge-b)",
                "+ link relay-1 -> edge-c (live)",
                "- link origin-1 -> edge-b (live)",
                "- link relay-1 -> edge-b (live)",
            ])
        #expect(plan.summary == "Plan: 2 to add, 0 to change, 3 to remove. Live: 3. Start: edge-c. Stop: edge-b.")
    }

    @Test func regionsAndLatencyChangeLiveAndLatencyIsSymmetric() throws {
        let running = try local()
        var target = running
        target.regions[1].cidrs.append(CIDRBlock(address: "10.0.0.0", prefixLength: 8))
        target.regions.append(Region(name: "local-c"))
        // Written the other way round: the same entry, only its value changes.
        target.latencies = [RegionLatency(first: "local-b", second: "local-a", milliseconds: 15.5)]
        let plan = TopologyPlan(from: running, to: target)
        #expect(
            plan.changes == [
                TopologyChange(
                    action: .update, subject: .region("local-b"),
                    fields: [
                        FieldChange(
                            name: "cidrs", old: "[127.128.0.0/9]", new: "[127.128.0.0/9, 10.0.0.0/8]", isLive: true)
                    ],
                    rollout: .live),
                TopologyChange(action: .add, subject: .region("local-c"), fields: [], rollout: .live),
                TopologyChange(
                    action: .update, subject: .latency("local-a", "local-b"),
                    fields: [FieldChange(name: "ms", old: "12", new: "15.5", isLive: true)], rollout: .live),
            ])
    }

    @Test func policiesEdgeOptionsAndProxiesChangeLive() throws {
        let running = try local()
        var target = running
        target.policies.maxViewersPerStream = 2000
        target.policies.streamLimits = [StreamLimit(pattern: try #require(StreamPattern("vip-*")), maxViewers: 9)]
        target.edge.unsubscribeAfterSeconds = 5
        target.trustedProxies = []
        let plan = TopologyPlan(from: running, to: target)
        #expect(plan.changes.map(\.subject) == [.policies, .edgeOptions, .trustedProxies])
        #expect(plan.changes.allSatisfy { $0.rollout == .live && $0.action == .update })
        #expect(
            plan.changes.first?.fields == [
                FieldChange(name: "max_viewers_per_stream", old: "1000", new: "2000", isLive: true),
                FieldChange(name: "streams[vip-*].max_viewers", old: nil, new: "9", isLive: true),
            ])
        #expect(
            plan.changes.last?.fields == [
                FieldChange(name: "trusted_proxies", old: "[127.0.0.1/32]", new: nil, isLive: true)
            ])
    }

    @Test func secretNamesAndMeshNameRestartEveryRunningNode() throws {
        let running = try local()
        var target = running
        target.mesh = "renamed"
        target.secrets.redisURLVariable = "OTHER_REDIS_URL"
        let plan = TopologyPlan(from: running, to: target)
        let everyNode = running.nodes.map(\.id)
        #expect(plan.changes.map(\.subject) == [.mesh, .secrets])
        #expect(plan.changes.allSatisfy { $0.rollout == .restart(everyNode) })
        #expect(plan.nodesToRestart == everyNode)
        #expect(
            plan.changes.last?.fields == [
                FieldChange(name: "redis", old: "MESHCAST_REDIS_URL", new: "OTHER_REDIS_URL", isLive: false)
            ])
    }
}
