import MeshCluster
import Testing

/// `turn.relay_to` and `turn.allow_peers` (issue 13: self-only by default, `open` with an
/// explicit allow-list).
@Suite struct TopologyTURNPeerTests {
    private func yaml(_ turn: String) -> String {
        """
        mesh: schema
        regions:
          - name: local
        secrets: {cluster: CLUSTER_SECRET, token: TOKEN_SECRET, turn: TURN_SECRET}
        nodes:
          - id: n1
            role: edge
            region: local
            api: 127.0.0.1:8080
            media: 127.0.0.1
            announce: 127.0.0.1
            ports: 40000-40099
            turn: \(turn)

        """
    }

    private func reported(_ text: String) -> [Reported] {
        do {
            _ = try TopologyLoader.load(yaml: text, file: "inline.yaml")
            return []
        } catch {
            return error.diagnostics.map(Reported.init)
        }
    }

    @Test func defaultsToSelfAndLoadsOpenWithAllowList() throws {
        let plain = try TopologyLoader.load(yaml: yaml("{udp: 3478}"), file: "inline.yaml")
        #expect(plain.nodes.first?.turn?.relayToAnyPeer == nil)
        let open = try TopologyLoader.load(
            yaml: yaml("{udp: 3478, relay_to: open, allow_peers: [127.0.0.0/8, '::1/128']}"), file: "inline.yaml")
        #expect(open.nodes.first?.turn?.relayToAnyPeer == true)
        #expect(open.nodes.first?.turn?.allowPeers?.map(\.description) == ["127.0.0.0/8", "::1/128"])
    }

    @Test func badModeAndAllowListWithoutOpenAreReported() {
        #expect(
            reported(yaml("{udp: 3478, relay_to: everyone}")) == [
                Reported(13, 33, "'turn.relay_to' is 'self' (the default) or 'open', not 'everyone'")
            ])
        #expect(
            reported(yaml("{udp: 3478, allow_peers: [127.0.0.0/8]}")) == [
                Reported(13, 36, "'turn.allow_peers' needs 'relay_to: open'")
            ])
        #expect(
            reported(yaml("{udp: 3478, relay_to: open, allow_peers: [10.0.0.0/33]}")) == [
                Reported(13, 53, "malformed CIDR '10.0.0.0/33': prefix length '33' is not in 0-32")
            ])
    }
}
