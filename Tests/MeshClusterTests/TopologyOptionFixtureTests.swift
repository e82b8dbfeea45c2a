import MeshCluster
import Testing

/// Bad fixtures for the optional sections; each file's first comment lists its mistakes.
@Suite struct TopologyOptionFixtureTests {
    @Test func everyOptionalSectionMistakeIsReportedInLineOrder() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "bad-options.yaml").map(Reported.init)
        #expect(
            reported == [
                Reported(5, 31, "malformed CIDR '10.0.0.0/33': prefix length '33' is not in 0-32"),
                Reported(16, 11, "node 'relay-1' is a relay; only origins and edges run TURN, remove 'turn'"),
                Reported(24, 29, "'turn.tls' is missing required key 'key'"),
                Reported(25, 5, "recorder 'recorder-1' is missing 'storage' (where its recordings go)"),
                Reported(
                    33, 12, "bad stream pattern 'rec/*': use 1-128 of A-Z a-z 0-9 . _ ~ - and '*' for any characters"),
                Reported(34, 27, "'max_viewers_per_stream' must be at least 1, found 0"),
                Reported(
                    35, 8, "unknown key 'unsubscribe_after_secs' in 'edge'; did you mean 'unsubscribe_after_seconds'?"),
                Reported(
                    36, 83,
                    "'secrets.redis' must be the name of an environment variable (letters, digits, '_'), never the secret itself"
                ),
            ])
    }

    @Test func turnListenersThatShareAPortWithAnotherListenerOnTheHost() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "turn-port-collisions.yaml").map(Reported.init)
        let suffix = "on host 127.0.0.1"
        #expect(
            reported == [
                Reported(
                    24, 12,
                    "TURN UDP port 3478 of node 'edge-b': already used by TURN UDP port 3478 of node 'edge-a' (line 15) \(suffix)"
                ),
                Reported(
                    25, 12,
                    "TURN TCP port 8082 of node 'edge-b': already used by API port 8082 of node 'edge-a' (line 11) \(suffix)"
                ),
                Reported(
                    26, 12,
                    "TURN TLS port 8082 of node 'edge-b': already used by API port 8082 of node 'edge-a' (line 11) \(suffix)"
                ),
                Reported(
                    26, 12,
                    "TURN TLS port 8082 of node 'edge-b': already used by TURN TCP port 8082 of the same node (line 25) \(suffix)"
                ),
                Reported(
                    27, 20,
                    "TURN relay ports 40390-40500 of node 'edge-b': already used by media ports 40300-40399 of the same node (line 22) \(suffix)"
                ),
            ])
    }
}
