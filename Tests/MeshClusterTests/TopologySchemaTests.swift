import MeshCluster
import Testing

/// The optional keys (TURN, storage, capacity, trusted proxies, policies, edge options,
/// secret names), each on a small inline topology whose lines are counted in the test.
@Suite struct TopologySchemaTests {
    /// A valid one-node topology. `nodeLines` become lines 13 onwards (4-space indent), then
    /// `topLevel` lines follow; line 4 holds the secrets.
    private func topology(
        role: String = "edge",
        nodeLines: [String] = [],
        topLevel: [String] = [],
        secrets: String = "{cluster: CLUSTER_SECRET, token: TOKEN_SECRET, turn: TURN_SECRET}"
    ) -> String {
        let lines =
            [
                "mesh: schema",
                "regions:",
                "  - name: local",
                "secrets: \(secrets)",
                "nodes:",
                "  - id: n1",
                "    role: \(role)",
                "    region: local",
                "    api: 127.0.0.1:8080",
                "    media: 127.0.0.1",
                "    announce: 127.0.0.1",
                "    ports: 40000-40099",
            ] + nodeLines.map { "    " + $0 } + topLevel
        return lines.joined(separator: "\n") + "\n"
    }

    private func reported(_ yaml: String) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    private func load(_ yaml: String) throws -> Topology {
        try TopologyLoader.load(yaml: yaml, file: "inline.yaml")
    }

    // MARK: defaults

    @Test func omittedSectionsTakeTheirDocumentedDefaults() throws {
        let loaded = try load(topology())
        #expect(loaded.trustedProxies.isEmpty)
        #expect(loaded.policies == .none)
        #expect(loaded.edge.unsubscribeAfterSeconds == 30)
        #expect(loaded.secrets.redisURLVariable == "MESHCAST_REDIS_URL")
        #expect(loaded.secrets.postgresURLVariable == nil)
        #expect(loaded.nodes.first?.turn == nil)
        #expect(loaded.nodes.first?.storage == nil)
    }

    // MARK: capacity

    @Test func capacityTakesViewersAndPublishers() throws {
        let loaded = try load(
            topology(nodeLines: ["capacity: {sessions: 10, egress_mbps: 100, viewers: 8, publishers: 2}"]))
        #expect(loaded.nodes.first?.capacity == NodeCapacity(sessions: 10, egressMbps: 100, viewers: 8, publishers: 2))
    }

    @Test func capacityViewersMustBePositive() {
        #expect(
            reported(topology(nodeLines: ["capacity: {viewers: 0}"])) == [
                Reported(13, 25, "'viewers' must be at least 1, found 0")
            ])
    }

    // MARK: TURN

    @Test func turnListenersLoad() throws {
        let loaded = try load(
            topology(nodeLines: [
                "turn:",
                "  udp: 3478",
                "  tcp: 3478",
                "  tls: {port: 5349, cert: /etc/tls/turn.pem, key: /etc/tls/turn.key}",
                "  relay_ports: 49000-49099",
            ]))
        #expect(
            loaded.nodes.first?.turn
                == TURNListeners(
                    udpPort: 3478, tcpPort: 3478,
                    tls: TURNTLSListener(
                        port: 5349, certificatePath: "/etc/tls/turn.pem", keyPath: "/etc/tls/turn.key"),
                    relayPorts: PortRange(first: 49000, last: 49099)))
    }

    @Test func turnPortMustBeAPort() {
        #expect(
            reported(topology(nodeLines: ["turn: {udp: 70000}"])) == [
                Reported(13, 17, "'turn.udp' 70000 is not a port in 1-65535")
            ])
    }

    @Test func turnNeedsAtLeastOneListener() {
        #expect(
            reported(topology(nodeLines: ["turn: {relay_ports: 49000-49099}"])) == [
                Reported(13, 11, "'turn' needs at least one listener: 'udp', 'tcp' or 'tls'")
            ])
    }

    @Test func misspeltTURNKeyGetsASuggestion() {
        #expect(
            reported(topology(nodeLines: ["turn: {upd: 3478}"])) == [
                Reported(13, 11, "'turn' needs at least one listener: 'udp', 'tcp' or 'tls'"),
                Reported(13, 12, "unknown key 'upd' in 'turn'; did you mean 'udp'?"),
            ])
    }

    @Test func tlsNeedsItsOwnKeyFile() {
        #expect(
            reported(topology(nodeLines: ["turn: {tls: {port: 5349, cert: a.pem, key: a.pem}}"])) == [
                Reported(
                    13, 48, "'turn.tls.key' names the certificate file 'a.pem'; the private key needs its own file")
            ])
        #expect(
            reported(topology(nodeLines: ["turn: {tls: {port: 5349, cert: a.pem}}"])) == [
                Reported(13, 17, "'turn.tls' is missing required key 'key'")
            ])
    }

    @Test func turnNeedsTheTURNSecretNamed() {
        #expect(
            reported(
                topology(nodeLines: ["turn: {udp: 3478}"], secrets: "{cluster: CLUSTER_SECRET, token: TOKEN_SECRET}"))
                == [
                    Reported(
                        13, 11, "node 'n1' runs TURN but 'secrets' names no 'turn' variable for the TURN REST secret")
                ])
    }

    @Test func onlyOriginsAndEdgesRunTURN() throws {
        #expect(
            reported(topology(role: "relay", nodeLines: ["turn: {udp: 3478}"])) == [
                Reported(13, 11, "node 'n1' is a relay; only origins and edges run TURN, remove 'turn'")
            ])
        #expect(try load(topology(role: "origin", nodeLines: ["turn: {udp: 3478}"])).nodes.first?.turn?.udpPort == 3478)
    }

    @Test func turnUDPPortInsideTheNodesOwnMediaRangeCollides() {
        #expect(
            reported(topology(nodeLines: ["turn: {udp: 40050, tcp: 40050}"])) == [
                Reported(
                    13, 17,
                    "TURN UDP port 40050 of node 'n1': already used by media ports 40000-40099 of the same node (line 12) on host 127.0.0.1"
                )
            ])
    }

    // MARK: storage

    @Test func recorderStorageLoadsWithDefaultSegments() throws {
        let loaded = try load(topology(role: "recorder", nodeLines: ["storage: {path: /var/lib/rec}"]))
        #expect(loaded.nodes.first?.storage == RecordingStorage(path: "/var/lib/rec", segmentSeconds: 10))
    }

    @Test func recorderNeedsStorageAndOthersMayNotHaveIt() {
        #expect(
            reported(topology(role: "recorder")) == [
                Reported(6, 5, "recorder 'n1' is missing 'storage' (where its recordings go)")
            ])
        #expect(
            reported(topology(nodeLines: ["storage: {path: rec}"])) == [
                Reported(13, 14, "node 'n1' is an edge; only recorders have 'storage'")
            ])
    }

    @Test func segmentSecondsHaveARange() {
        #expect(
            reported(topology(role: "recorder", nodeLines: ["storage: {path: rec, segment_seconds: 0}"])) == [
                Reported(13, 43, "'segment_seconds' must be in 1-3600, found 0")
            ])
    }

    @Test func twoRecordersMayNotShareAPathOnOneHost() {
        let yaml = topology(
            role: "recorder",
            nodeLines: ["storage: {path: rec}"],
            topLevel: [
                "  - {id: n2, role: recorder, region: local, api: 127.0.0.1:8081, media: 127.0.0.1,",
                "     announce: 127.0.0.1, ports: 40100-40199, storage: {path: rec}}",
            ])
        #expect(
            reported(yaml) == [
                Reported(
                    15, 56, "storage path 'rec' is already used by recorder 'n1' (line 13) on host 127.0.0.1")
            ])
    }

    @Test func recordersOnSharedStorageMayNameOnePathOnOneHost() throws {
        let yaml = topology(
            role: "recorder",
            nodeLines: ["storage: {path: rec, shared: true}"],
            topLevel: [
                "  - {id: n2, role: recorder, region: local, api: 127.0.0.1:8081, media: 127.0.0.1,",
                "     announce: 127.0.0.1, ports: 40100-40199, storage: {path: rec, shared: true}}",
            ])
        let loaded = try load(yaml)
        #expect(loaded.nodes.map { $0.storage?.shared } == [true, true])
        #expect(
            try load(topology(role: "recorder", nodeLines: ["storage: {path: rec}"])).nodes[0].storage?.shared == false)
        #expect(
            reported(topology(role: "recorder", nodeLines: ["storage: {path: rec, shared: yes}"])) == [
                Reported(13, 34, "expected true or false for 'storage.shared', found 'yes'")
            ])
    }

    // MARK: trusted proxies

    @Test func trustedProxiesAreCIDRsListedOnce() throws {
        let loaded = try load(topology(topLevel: ["trusted_proxies: [10.0.0.0/8, \"2001:db8::/32\"]"]))
        #expect(
            loaded.trustedProxies == [
                CIDRBlock(address: "10.0.0.0", prefixLength: 8), CIDRBlock(address: "2001:db8::", prefixLength: 32),
            ])
        #expect(
            reported(topology(topLevel: ["trusted_proxies: [10.0.0.0/8, 10.0.0.0/8, 10.1.0.0]"])) == [
                Reported(13, 31, "trusted proxy 10.0.0.0/8 is listed twice (first at line 13)"),
                Reported(13, 43, "malformed CIDR '10.1.0.0': expected address/prefix-length, e.g. 10.0.0.0/8"),
            ])
    }

    // MARK: policies

    @Test func policiesLoadAndApplyByPattern() throws {
        let loaded = try load(
            topology(
                role: "recorder",
                nodeLines: ["storage: {path: rec}"],
                topLevel: [
                    "policies:",
                    "  record: [town-hall, \"event-*\"]",
                    "  max_viewers_per_stream: 100",
                    "  max_publishers: 5",
                    "  streams:",
                    "    - {match: \"keynote-*\", max_viewers: 5000}",
                ]))
        #expect(loaded.policies.maxPublishers == 5)
        #expect(loaded.policies.recordsAutomatically("event-42"))
        #expect(loaded.policies.recordsAutomatically("town-hall"))
        #expect(!loaded.policies.recordsAutomatically("town-hall-2"))
        #expect(loaded.policies.maxViewers(for: "keynote-1") == 5000)
        #expect(loaded.policies.maxViewers(for: "other") == 100)
    }

    @Test func recordingPolicyNeedsARecorder() {
        #expect(
            reported(topology(topLevel: ["policies: {record: \"*\"}"])) == [
                Reported(13, 20, "'policies.record' names streams to record but the topology has no recorder node")
            ])
    }

    @Test func policyMistakesAreEachReported() {
        let yaml = topology(topLevel: [
            "policies:",
            "  record: [\"a/b\"]",
            "  max_viewer_per_stream: 10",
            "  streams:",
            "    - {match: hd, max_viewers: 10}",
            "    - {match: hd, max_viewers: 20}",
            "    - {match: sd}",
        ])
        #expect(
            reported(yaml) == [
                Reported(
                    14, 12, "bad stream pattern 'a/b': use 1-128 of A-Z a-z 0-9 . _ ~ - and '*' for any characters"),
                Reported(
                    15, 3, "unknown key 'max_viewer_per_stream' in 'policies'; did you mean 'max_viewers_per_stream'?"),
                Reported(18, 15, "duplicate stream limit for 'hd' (first defined at line 17)"),
                Reported(19, 7, "stream limit is missing required key 'max_viewers'"),
            ])
    }

    // MARK: edge options

    @Test func edgeOptionsHaveARangeAndKnownKeys() throws {
        #expect(
            try load(topology(topLevel: ["edge: {unsubscribe_after_seconds: 0}"])).edge.unsubscribeAfterSeconds == 0)
        #expect(
            reported(topology(topLevel: ["edge: {unsubscribe_after_seconds: -1}"])) == [
                Reported(13, 35, "'unsubscribe_after_seconds' must be in 0-3600, found -1")
            ])
        #expect(
            reported(topology(topLevel: ["edge: {unsubscribe_after_second: 5}"])) == [
                Reported(
                    13, 8, "unknown key 'unsubscribe_after_second' in 'edge'; did you mean 'unsubscribe_after_seconds'?"
                )
            ])
    }

    // MARK: redis

    @Test func redisModeIsNamedAndSentinelNeedsItsAddresses() throws {
        #expect(try load(topology(topLevel: [])).redis == nil)
        #expect(try load(topology(topLevel: ["redis: {mode: standalone}"])).redis == nil)
        let sentinel = try load(
            topology(topLevel: ["redis: {mode: sentinel, master_name: mc, sentinels: [127.0.0.1:26379, '[::1]:26380']}"]
            ))
        #expect(
            sentinel.redis
                == RedisSettings(
                    mode: .sentinel, masterName: "mc",
                    sentinels: [
                        EndpointAddress(host: "127.0.0.1", port: 26379), EndpointAddress(host: "::1", port: 26380),
                    ]))
        let cluster = try load(topology(topLevel: ["redis: {mode: cluster, nodes: [127.0.0.1:7000, 127.0.0.1:7001]}"]))
        #expect(
            cluster.redis
                == RedisSettings(
                    mode: .cluster,
                    nodes: [
                        EndpointAddress(host: "127.0.0.1", port: 7000), EndpointAddress(host: "127.0.0.1", port: 7001),
                    ]
                ))
        #expect(
            reported(topology(topLevel: ["redis: {mode: cluster}"])) == [
                Reported(13, 8, "'redis.mode: cluster' needs 'nodes'")
            ])
        #expect(
            reported(topology(topLevel: ["redis: {mode: cluster, nodes: [127.0.0.1:7000], master_name: mc}"])).first?
                .message == "'redis.master_name' is only for 'mode: sentinel'")
        #expect(
            reported(topology(topLevel: ["redis: {mode: sentinel, master_name: mc, sentinels: [h:1], nodes: [h:2]}"]))
                .first?.message == "'redis.nodes' is only for 'mode: cluster'")
        #expect(
            reported(topology(topLevel: ["redis: {mode: clustre}"])).first?.message
                == "unknown 'redis.mode' 'clustre'; expected one of: standalone, sentinel, cluster")
        #expect(
            reported(topology(topLevel: ["redis: {mode: sentinel, master_name: mc}"])) == [
                Reported(13, 8, "'redis.mode: sentinel' needs 'master_name' and 'sentinels'")
            ])
        #expect(
            reported(topology(topLevel: ["redis: {mode: sentinel, master_name: mc, sentinels: [nohost]}"])).count == 1)
        #expect(
            reported(topology(topLevel: ["redis: {sentinels: []}"])).first?.message
                == "'redis' is missing required key 'mode'")
    }

    // MARK: secrets

    @Test func secretNamesIncludeRedisTURNAndPostgres() throws {
        let loaded = try load(
            topology(secrets: "{cluster: C, token: T, redis: REDIS_URL, turn: TURN_KEY, postgres: PG_URL}"))
        #expect(
            loaded.secrets
                == SecretNames(
                    clusterSecretVariable: "C", tokenSecretVariable: "T", redisURLVariable: "REDIS_URL",
                    turnSecretVariable: "TURN_KEY", postgresURLVariable: "PG_URL"))
    }

    @Test func aRedisURLInPlaceOfItsVariableIsRefusedWithoutEchoingIt() {
        let found = reported(topology(secrets: "{cluster: C, token: T, redis: \"redis://:hunter2@db:6379\"}"))
        #expect(
            found == [
                Reported(
                    4, 40,
                    "'secrets.redis' must be the name of an environment variable (letters, digits, '_'), never the secret itself"
                )
            ])
        #expect(!found.contains { $0.message.contains("hunter2") })
    }
}
