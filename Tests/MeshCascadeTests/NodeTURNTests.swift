import MeshCluster
import MeshCrypto
import MeshEdge
import MeshTURN
import MeshWire
import Testing

@testable import MeshCascade

/// How a node's topology entry and secrets become its TURN server's policy and the credentials
/// its WHIP/WHEP answers carry (issue 13).
@Suite struct NodeTURNTests {
    static func settings(turn: String, secret: String? = "new-secret, old-secret") throws -> NodeSettings {
        let yaml = """
            mesh: turn
            regions:
              - name: local
            secrets: {cluster: CLUSTER, token: TOKEN, turn: TURN_SECRET}
            nodes:
              - id: edge-a
                role: edge
                region: local
                api: 127.0.0.1:8082
                media: 127.0.0.1
                announce: 198.51.100.20
                ports: 40200-40299
                workers: 1
                turn: \(turn)

            """
        var environment = ["TOKEN": "a token secret long enough", "CLUSTER": "a cluster secret long enough"]
        environment["MESHCAST_REDIS_URL"] = "redis://127.0.0.1:6379"
        environment["TURN_SECRET"] = secret
        return try NodeSettings(
            topology: try TopologyLoader.load(yaml: yaml, file: "inline.yaml"), id: "edge-a", policy: EdgeNode.policy,
            environment: environment)
    }

    /// The rotation list is read newest first; self-only peers are the announced and bound
    /// media addresses of each worker's port.
    @Test func selfOnlyPolicyAndSecrets() throws {
        let settings = try Self.settings(turn: "{udp: 3478}")
        #expect(settings.turnSecrets == ["new-secret", "old-secret"])
        let policy = try NodeTURN.policy(for: settings.node, turn: try #require(settings.node.turn), workers: 2)
        let announced = STUNIPAddress.v4(0xC633_6414)
        #expect(policy.permits(peer: STUNTransportAddress(ip: announced, port: 40200)))
        #expect(policy.permits(peer: STUNTransportAddress(ip: announced, port: 40201)))
        #expect(policy.permits(peer: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 40200)))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: announced, port: 40202)))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: announced, port: 8082)))
    }

    /// Open mode refuses the node's HTTP and TURN ports even on the allow-listed loopback.
    @Test func openPolicyRefusesControlPorts() throws {
        let settings = try Self.settings(turn: "{udp: 3478, relay_to: open, allow_peers: [127.0.0.0/8]}")
        let policy = try NodeTURN.policy(for: settings.node, turn: try #require(settings.node.turn), workers: 1)
        #expect(policy.permits(peer: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 5000)))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 8082)))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: .v4(0x7F00_0001), port: 3478)))
        #expect(!policy.permits(peer: STUNTransportAddress(ip: .v4(0x0A00_0001), port: 5000)))
    }

    /// Each call mints a credential for its session (the id after the expiry) and the
    /// announced address, which the server's verifier accepts with the newest secret until it
    /// expires 12 h later.
    @Test func sessionLinksMintVerifiableCredentials() throws {
        let settings = try Self.settings(turn: "{udp: 3478}")
        let now = TURNInstant(seconds: 1_733_400_000)
        let clock: @Sendable () -> TURNInstant = { now }
        let mint = try #require(NodeTURN.sessionLinks(settings: settings, clock: clock))
        let first = try #require(mint("0123456789abcdef").first)
        let second = try #require(mint("fedcba9876543210").first)
        #expect(first.url == "turn:198.51.100.20:3478?transport=udp")
        #expect(first.username != second.username)
        let username = try #require(first.username)
        #expect(username == "1733443200:0123456789abcdef")
        #expect(
            try first.credential == TURNRESTCredential.password(secret: TURNSecret("new-secret"), username: username))
        let verifier = TURNCredentialVerifier(secrets: [TURNSecret("new-secret")], realm: "meshcast")
        try Array(username.utf8).withUnsafeBytes { raw throws in
            #expect(try verifier.keys(username: raw, now: now.adding(seconds: 43199)).count == 1)
            #expect(throws: TURNCredentialError.expired) {
                try verifier.keys(username: raw, now: now.adding(seconds: 43200))
            }
        }
        #expect(NodeTURN.sessionLinks(settings: try Self.settings(turn: "{udp: 3478}", secret: nil)) == nil)
        // One credential for every listener: UDP, TCP and TLS (`turns:`, RFC 7065 §3.1).
        let all = try #require(
            NodeTURN.sessionLinks(
                settings: try Self.settings(turn: "{udp: 3478, tcp: 3478, tls: {port: 5349, cert: c.pem, key: k.pem}}"),
                clock: clock))
        let links = all("0123456789abcdef")
        #expect(
            links.map(\.url) == [
                "turn:198.51.100.20:3478?transport=udp", "turn:198.51.100.20:3478?transport=tcp",
                "turns:198.51.100.20:5349?transport=tcp",
            ])
        #expect(Set(links.map(\.username)).count == 1)
        // Issue 13, item 6: the session's worker port first, the listener after it (a firewall
        // may let only the listener's port through).
        let onWorker = try #require(
            NodeTURN.sessionLinks(
                settings: try Self.settings(turn: "{udp: 3478, tcp: 3478}"), udpPortOfSession: { _ in 40001 },
                clock: clock))
        #expect(
            onWorker("0123456789abcdef").map(\.url) == [
                "turn:198.51.100.20:40001?transport=udp", "turn:198.51.100.20:3478?transport=udp",
                "turn:198.51.100.20:3478?transport=tcp",
            ])
        // Without a UDP listener the worker port serves no TURN: it is not named.
        let tcpOnly = try #require(
            NodeTURN.sessionLinks(
                settings: try Self.settings(turn: "{tcp: 3478}"), udpPortOfSession: { _ in 40001 }, clock: clock))
        #expect(tcpOnly("0123456789abcdef").map(\.url) == ["turn:198.51.100.20:3478?transport=tcp"])
    }
}
