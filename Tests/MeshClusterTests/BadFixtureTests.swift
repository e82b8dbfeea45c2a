import MeshCluster
import Testing

/// Each file under Tests/Fixtures/topology/ holds known mistakes (its first comment lists
/// them with their lines); the loader must report exactly those, at those places.
@Suite struct BadFixtureTests {
    @Test func duplicateNodeIDPointsAtTheSecondAndNamesTheFirst() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "duplicate-node-id.yaml").map(Reported.init)
        #expect(reported == [Reported(21, 9, "duplicate node id 'edge-a' (first defined at line 13)")])
    }

    @Test func unknownRegionListsTheKnownOnes() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "unknown-region.yaml").map(Reported.init)
        #expect(reported == [Reported(16, 13, "unknown region 'us-wset' (known: eu-west, us-east)")])
    }

    @Test func badPortRangesAreReversedOutOfRangeOrOverlapping() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "bad-port-range.yaml").map(Reported.init)
        #expect(
            reported == [
                Reported(12, 12, "bad port range '40099-40000': range is reversed: 40099 comes after 40000"),
                Reported(18, 12, "bad port range '65500-70000': port 70000 is out of range 1-65535"),
                Reported(
                    31, 12,
                    "port range 40200-40299 overlaps 40150-40250 of node 'edge-1' (line 24) on media host 127.0.0.1"
                ),
            ]
        )
    }

    @Test func misspeltKeyGetsASuggestionAndExplainsTheMissingKey() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "unknown-key-typo.yaml").map(Reported.init)
        #expect(
            reported == [
                Reported(
                    6, 5,
                    "node is missing required key 'announce' ('annonce' at line 11 looks like a misspelling of it)"),
                Reported(11, 5, "unknown key 'annonce' in node; did you mean 'announce'?"),
            ]
        )
    }

    @Test func yamlSyntaxErrorCarriesLibyamlsMark() {
        let diagnostics = FixtureFiles.diagnostics(forBadFixture: "yaml-syntax-error.yaml")
        let reported = diagnostics.map(Reported.init)
        #expect(
            reported == [
                Reported(
                    6, 6,
                    "YAML syntax error: did not find expected ',' or ']' (while parsing a flow sequence at line 5, column 12)"
                )
            ]
        )
        #expect(
            diagnostics.first?.description.hasSuffix(
                "yaml-syntax-error.yaml:6:6: error: " + (reported.first?.message ?? "")) == true)
    }

    @Test func linksToUnknownNodesAndToThemselves() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "link-unknown-node.yaml").map(Reported.init)
        #expect(
            reported == [
                Reported(23, 19, "unknown node 'edge-z' in link"),
                Reported(24, 12, "unknown node 'relya-1' in link; did you mean 'relay-1'?"),
                Reported(25, 25, "link from node 'relay-1' to itself"),
            ]
        )
    }

    @Test func everyIndependentMistakeIsReportedInLineOrder() {
        let reported = FixtureFiles.diagnostics(forBadFixture: "several-errors.yaml").map(Reported.init)
        let expected = [
            Reported(5, 13, "malformed CIDR '127.0.0.0/33': prefix length '33' is not in 0-32"),
            Reported(6, 24, "latitude 91.0 is outside -90...90"),
            Reported(
                9, 11, "invalid role 'orign' (expected one of: origin, relay, edge, recorder); did you mean 'origin'?"),
            Reported(11, 10, "malformed API address '127.0.0.1': expected host:port (IPv6 as [address]:port)"),
            Reported(
                12, 12,
                "malformed media host '127.0.0.1:9000': expected an IP address or a host name (the port range goes in 'ports')"
            ),
            Reported(13, 15, "announce IP '0.0.0.0' is unspecified; ICE candidates need an address peers can reach"),
            Reported(15, 21, "workers give both 'cpus' and 'numa'; pin to a CPU list or to a NUMA node, not both"),
            Reported(18, 13, "unknown region 'locl' (known: local); did you mean 'local'?"),
            Reported(21, 15, "malformed announce IP '127.0.0.300': expected an IPv4 or IPv6 address"),
            Reported(23, 14, "worker count must be at least 1, found 0"),
            Reported(24, 26, "expected an integer for 'sessions', found 'many'"),
            Reported(25, 5, "node is missing required key 'id'"),
            Reported(31, 5, "unknown key 'worker' in node; did you mean 'workers'?"),
            Reported(32, 8, "expected a list for 'links', found a mapping"),
            Reported(
                35, 10,
                "'secrets.token' must be the name of an environment variable (letters, digits, '_'), never the secret itself"
            ),
        ]
        #expect(reported == expected)
    }

    @Test func diagnosticsPrintLikeACompiler() {
        let diagnostic = FixtureFiles.diagnostics(forBadFixture: "unknown-region.yaml").first
        let printed = diagnostic?.description ?? ""
        #expect(
            printed.hasSuffix(
                "Tests/Fixtures/topology/unknown-region.yaml:16:13: error: unknown region 'us-wset' (known: eu-west, us-east)"
            ))
    }
}
