import MeshCluster
import Testing

/// Single rules, each on a small inline topology whose lines are counted in the test.
@Suite struct TopologyRuleTests {
    /// A valid one-node topology; `node` lines are inserted as lines 8 onwards.
    private func topology(nodeLines: [String], extra: String = "") -> String {
        """
        mesh: rules
        regions:
          - name: local
        secrets: {cluster: CLUSTER_SECRET, token: TOKEN_SECRET}
        \(extra)
        nodes:
          - id: n1
        \(nodeLines.map { "    " + $0 }.joined(separator: "\n"))
        """
    }

    private let validNodeLines = [
        "role: edge", "region: local", "api: 127.0.0.1:8080", "media: 127.0.0.1",
        "announce: 127.0.0.1", "ports: 40000-40099",
    ]

    private func reported(_ yaml: String) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    @Test func validInlineTopologyLoads() throws {
        let topology = try TopologyLoader.load(yaml: topology(nodeLines: validNodeLines), file: "inline.yaml")
        #expect(topology.nodes.first?.ports == PortRange(first: 40000, last: 40099))
        #expect(topology.nodes.first?.workers == .perCore)
    }

    @Test func workerCountMayNotBeNegative() {
        let found = reported(topology(nodeLines: validNodeLines + ["workers: -2"]))
        #expect(found == [Reported(14, 14, "worker count must be at least 1, found -2")])
    }

    @Test func cpusListMayNotRepeatACPU() {
        let found = reported(topology(nodeLines: validNodeLines + ["workers: {cpus: [0, 0]}"]))
        #expect(found == [Reported(14, 25, "CPU 0 is listed twice in 'cpus'")])
    }

    @Test func portZeroIsOutOfRange() {
        var lines = validNodeLines
        lines[5] = "ports: 0-10"
        #expect(
            reported(topology(nodeLines: lines)) == [
                Reported(13, 12, "bad port range '0-10': port 0 is out of range 1-65535")
            ])
    }

    @Test func apiAcceptsBracketedIPv6AndRejectsBareIPv6() throws {
        var lines = validNodeLines
        lines[2] = "api: \"[::1]:8080\""
        let loaded = try TopologyLoader.load(yaml: topology(nodeLines: lines), file: "inline.yaml")
        #expect(loaded.nodes.first?.api.description == "[::1]:8080")
        lines[2] = "api: \"::1:8080\""
        #expect(
            reported(topology(nodeLines: lines)) == [
                Reported(10, 10, "malformed API address '::1:8080': expected host:port (IPv6 as [address]:port)")
            ]
        )
    }

    @Test func latencyToUnknownRegionAndMisspeltTopLevelKey() {
        let yaml = topology(
            nodeLines: validNodeLines,
            extra: """
                latency:
                  - {between: [local, mars], ms: 3}
                regions2: []
                """
        )
        #expect(
            reported(yaml) == [
                Reported(6, 23, "unknown region 'mars' (known: local)"),
                Reported(7, 1, "unknown key 'regions2' in the topology; did you mean 'regions'?"),
            ]
        )
    }

    @Test func wrongTypeForASectionIsNamed() {
        let yaml = "mesh: [a, b]\nregions: local\nnodes: []\nsecrets: {cluster: A, token: B}\n"
        #expect(
            reported(yaml) == [
                Reported(1, 7, "expected text for 'mesh', found a list"),
                Reported(2, 10, "expected a list for 'regions', found 'local'"),
            ]
        )
    }

    @Test func missingTopLevelKeysPointAtTheDocument() {
        #expect(
            reported("mesh: m\nregions: []\n") == [
                Reported(1, 1, "the topology is missing required key 'nodes'"),
                Reported(1, 1, "the topology is missing required key 'secrets'"),
            ]
        )
    }

    @Test func emptyFileIsAnError() {
        #expect(reported("# nothing here\n") == [Reported(1, 1, "the topology file is empty")])
    }

    @Test func duplicateKeyInOneMappingIsReportedByTheParser() {
        let found = reported("mesh: a\nmesh: b\n")
        #expect(found.count == 1)
        #expect(found.first?.message == "duplicate key 'mesh' in one mapping")
    }

    @Test func sharedAPIAddressIsAnErrorButSharedPortsOnAnotherHostAreNot() {
        let yaml = """
            mesh: rules
            regions:
              - name: local
            secrets: {cluster: CLUSTER_SECRET, token: TOKEN_SECRET}
            nodes:
              - id: n1
                role: edge
                region: local
                api: 127.0.0.1:8080
                media: 127.0.0.1
                announce: 127.0.0.1
                ports: 40000-40099
              - id: n2
                role: edge
                region: local
                api: 127.0.0.1:8080
                media: 127.0.0.2
                announce: 127.0.0.2
                ports: 40000-40099
            """
        #expect(
            reported(yaml) == [Reported(16, 10, "API address 127.0.0.1:8080 is already used by node 'n1' (line 9)")])
    }
}
