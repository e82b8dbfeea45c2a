import Testing

@testable import MeshBench

/// meshbench viewers joining a real node through its integrated TURN server (issue 13's
/// meshbench part): the credentials come from the WHEP `201`'s `Link` headers (RFC 9725 §4.6),
/// the viewer allocates, binds a channel to the node's media address from the answer, and ICE,
/// DTLS, SRTP and media flow as ChannelData (RFC 8656 §12), over UDP and over TCP (§12.5's
/// padding). Needs what ``RunAgainstNodeTests`` needs.
@Suite(.serialized) struct TURNViewerEndToEndTests {
    /// Every viewer connected and received media, and the node's TURN server relayed at least
    /// every packet they received (`meshcast_turn_relayed_packets_total`, both directions): a
    /// viewer that reached the node directly would leave the counter short.
    static func expectMediaThroughTURN(_ report: RunReport, viewers: Int, relayed: Double?) {
        #expect(report.viewers.connected == viewers, "failures: \(report.viewers.failureReasons)")
        #expect(report.viewers.failureReasons.isEmpty, "\(report.viewers.failureReasons)")
        let received = report.packetsReceived ?? 0
        #expect(received > viewers * 50, "received \(received)")
        #expect(report.latencyMs.count > 0, "abs-capture-time reached the viewers through the relay")
        #expect((relayed ?? 0) >= Double(received), "relayed \(relayed ?? 0), received \(received)")
    }

    static func run(_ turn: String) async throws {
        var relayed: Double?
        let report = try await RunAgainstNodeTests.run(viewers: 3, seconds: 4, turn: turn) { mesh in
            relayed = mesh.nodes.first.flatMap { node in
                HTTPURL(node.base + "/metrics").flatMap {
                    NodeMetrics.total("meshcast_turn_relayed_packets_total", at: $0)
                }
            }
        }
        expectMediaThroughTURN(report, viewers: 3, relayed: relayed)
    }

    @Test(.enabled(if: RunAgainstNodeTests.available, "needs .build/debug/meshcast, redis-server and ffmpeg"))
    func viewersReceiveMediaThroughTURNOverUDP() async throws {
        try await Self.run("{transport: udp}")
    }

    @Test(.enabled(if: RunAgainstNodeTests.available, "needs .build/debug/meshcast, redis-server and ffmpeg"))
    func viewersReceiveMediaThroughTURNOverTCP() async throws {
        try await Self.run("{transport: tcp}")
    }
}
