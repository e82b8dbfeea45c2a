import MeshControl
import MeshRTC
import Testing

/// `/metrics`' per-stream series (issue 16, Grafana's "Streams" row): viewers, publishers and
/// the bitrate arriving by kind, one series per stream the node has, label values escaped as
/// the Prometheus text format requires.
@Suite struct StreamMetricsRouteTests {
    @Test func everyStreamHasItsViewersPublishersAndBitrateByKind() async throws {
        let odd = StreamSnapshot(
            name: #"a"b\c"#, live: true, publishers: 0,
            tracks: [
                TrackSnapshot(
                    mid: "0", kind: "video", codec: "VP8",
                    layers: [
                        LayerSnapshot(rid: "h", ssrc: 1, bitrate: 900_000, viewers: 1),
                        LayerSnapshot(rid: "l", ssrc: 2, bitrate: 150_000, viewers: 0),
                    ]),
                TrackSnapshot(
                    mid: "1", kind: "audio", codec: "opus",
                    layers: [LayerSnapshot(rid: "", ssrc: 3, bitrate: 32_000, viewers: 1)]),
            ], viewers: 1)
        let engine = RecordingNodeControl(.init(streams: [NodeRouteTests.stream, odd]))
        try await ControlTest.withServer(engine) { client in
            let text = ControlTest.text(try await client.execute(uri: "/metrics", method: .get))
            let expected: [(String, Double)] = [
                (#"meshcast_stream_viewers{stream="lobby"}"#, 3),
                (#"meshcast_stream_publishers{stream="lobby"}"#, 1),
                (#"meshcast_stream_bitrate_bits_per_second{stream="lobby",kind="video"}"#, 1_500_000),
                (#"meshcast_stream_viewers{stream="a\"b\\c"}"#, 1),
                (#"meshcast_stream_publishers{stream="a\"b\\c"}"#, 0),
                // Simulcast layers add up: 900 + 150 kbit/s.
                (#"meshcast_stream_bitrate_bits_per_second{stream="a\"b\\c",kind="video"}"#, 1_050_000),
                (#"meshcast_stream_bitrate_bits_per_second{stream="a\"b\\c",kind="audio"}"#, 32_000),
            ]
            for (series, value) in expected {
                #expect(NodeRouteTests.sample(text, series) == value, "\(series) in:\n\(text)")
            }
            #expect(text.contains("# TYPE meshcast_stream_viewers gauge"))
            engine.update { $0.streams = [] }
            let empty = ControlTest.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(!empty.contains("meshcast_stream_viewers{"))
        }
    }
}
