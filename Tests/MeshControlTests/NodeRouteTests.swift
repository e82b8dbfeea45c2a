import Foundation
import Hummingbird
import HummingbirdTesting
import MeshControl
import MeshCrypto
import MeshRTC
import Testing

/// `/health`, `/ready`, `/metrics`, `/v1/streams`, and the pages.
@Suite struct NodeRouteTests {
    static let stream = StreamSnapshot(
        name: "lobby", live: true, publishers: 1,
        tracks: [
            TrackSnapshot(
                mid: "0", kind: "video", codec: "VP8",
                layers: [LayerSnapshot(rid: "h", ssrc: 0x1234_5678, bitrate: 1_500_000, viewers: 3)])
        ], viewers: 3)

    @Test func healthIsTheEnginesSnapshotAsJSON() async throws {
        let engine = RecordingNodeControl(
            .init(
                sessions: [
                    SessionAddress(id: "a", stream: "lobby", role: .publisher): "1",
                    SessionAddress(id: "b", stream: "lobby", role: .viewer): "1",
                ], streams: [Self.stream]))
        try await ControlTest.withServer(engine) { client in
            try await client.execute(uri: "/health", method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == "application/json")
                let health = try JSONDecoder().decode(NodeHealth.self, from: Data(ControlTest.text(response).utf8))
                #expect(health == NodeHealth(node: "origin-1", role: "origin", workers: 2, sessions: 2, streams: 1))
            }
        }
    }

    @Test func readyFollowsTheEngine() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .ok)
                #expect(ControlTest.text(response) == "ready\n")
            }
            engine.update { $0.ready = false }
            try await client.execute(uri: "/ready", method: .get) { response in
                #expect(response.status == .serviceUnavailable)
            }
        }
    }

    @Test func streamsListAndOneStream() async throws {
        let engine = RecordingNodeControl(.init(streams: [Self.stream]))
        try await ControlTest.withServer(engine) { client in
            try await client.execute(uri: "/v1/streams", method: .get) { response in
                #expect(response.status == .ok)
                let streams = try JSONDecoder().decode(
                    [StreamSnapshot].self, from: Data(ControlTest.text(response).utf8))
                #expect(streams == [Self.stream])
            }
            try await client.execute(uri: "/v1/streams/lobby", method: .get) { response in
                #expect(response.status == .ok)
                let stream = try JSONDecoder().decode(StreamSnapshot.self, from: Data(ControlTest.text(response).utf8))
                #expect(stream == Self.stream)
            }
            try await client.execute(uri: "/v1/streams/nowhere", method: .get) { response in
                #expect(response.status == .notFound)
            }
        }
    }

    @Test func putDeclaresAStreamWithAPublishToken() async throws {
        let engine = RecordingNodeControl()
        try await ControlTest.withServer(engine) { client in
            try await client.execute(
                uri: "/v1/streams/lobby", method: .put, headers: ControlTest.bearer(ControlTest.token(.publish))
            ) { response in
                #expect(response.status == .noContent)
            }
        }
        #expect(engine.calls == [.declareStream("lobby")])
    }

    @Test(arguments: [
        ("/", "text/html; charset=utf-8"), ("/publish", "text/html; charset=utf-8"),
        ("/watch", "text/html; charset=utf-8"), ("/dashboard", "text/html; charset=utf-8"),
        ("/recordings", "text/html; charset=utf-8"),
    ])
    func pagesAreHTML(path: String, contentType: String) async throws {
        try await ControlTest.withServer { client in
            try await client.execute(uri: path, method: .get) { response in
                #expect(response.status == .ok)
                #expect(response.headers[.contentType] == contentType)
                #expect(ControlTest.text(response).lowercased().hasPrefix("<!doctype html>"))
            }
        }
    }

    @Test func unknownPathIs404WithCORS() async throws {
        try await ControlTest.withServer { client in
            try await client.execute(uri: "/nothing/here", method: .get) { response in
                #expect(response.status == .notFound)
                #expect(response.headers[.accessControlAllowOrigin] == "*")
            }
        }
    }

    /// The value of the sample line that starts with `series ` in Prometheus text.
    static func sample(_ text: String, _ series: String) -> Double? {
        text.split(separator: "\n").first { $0.hasPrefix(series + " ") }
            .flatMap { Double($0.split(separator: " ").last ?? "") }
    }

    @Test func metricsExportEveryFamilyAndCountersStayMonotonic() async throws {
        var worker = WorkerMetrics()
        worker.worker = 0
        worker.packetsIn = 100
        worker.bytesIn = 120_000
        worker.packetsOut = 300
        worker.bytesOut = 360_000
        worker.packetsForwarded = 290
        worker.nacksReceived = 4
        worker.nacksSent = 2
        worker.retransmissions = 3
        worker.keyframeRequestsReceived = 5
        worker.keyframeRequestsSent = 1
        worker.drops = ["srtp_auth": 7]
        worker.loopUtilisation = 0.25
        var metrics = NodeMetrics()
        metrics.publishers = 1
        metrics.viewers = 3
        metrics.streams = 1
        metrics.workers = [worker]
        let engine = RecordingNodeControl(.init(metrics: metrics))
        let first = worker

        try await ControlTest.withServer(engine) { client in
            let scrape = try await client.execute(uri: "/metrics", method: .get)
            #expect(scrape.status == .ok)
            #expect(scrape.headers[.contentType] == "text/plain; version=0.0.4; charset=utf-8")
            let text = ControlTest.text(scrape)
            let expected: [(String, Double)] = [
                (#"meshcast_sessions{kind="publisher"}"#, 1), (#"meshcast_sessions{kind="viewer"}"#, 3),
                ("meshcast_streams", 1),
                (#"meshcast_packets_in_total{worker="0"}"#, 100), (#"meshcast_bytes_in_total{worker="0"}"#, 120_000),
                (#"meshcast_packets_out_total{worker="0"}"#, 300), (#"meshcast_bytes_out_total{worker="0"}"#, 360_000),
                (#"meshcast_packets_forwarded_total{worker="0"}"#, 290),
                (#"meshcast_nacks_received_total{worker="0"}"#, 4), (#"meshcast_nacks_sent_total{worker="0"}"#, 2),
                (#"meshcast_retransmissions_total{worker="0"}"#, 3),
                (#"meshcast_keyframe_requests_received_total{worker="0"}"#, 5),
                (#"meshcast_keyframe_requests_sent_total{worker="0"}"#, 1),
                (#"meshcast_drops_total{worker="0",reason="srtp_auth"}"#, 7),
                (#"meshcast_worker_loop_utilisation{worker="0"}"#, 0.25),
            ]
            for (series, value) in expected {
                #expect(Self.sample(text, series) == value, "\(series) in:\n\(text)")
            }
            #expect(text.contains("# TYPE meshcast_packets_in_total counter"))
            #expect(text.contains("# TYPE meshcast_sessions gauge"))

            // The engine's counters grow, then a worker restarts from zero: the export only grows.
            var grown = first
            grown.packetsIn = 150
            engine.update { $0.metrics.workers = [grown] }
            let second = ControlTest.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(Self.sample(second, #"meshcast_packets_in_total{worker="0"}"#) == 150)

            var restarted = WorkerMetrics()
            restarted.packetsIn = 10
            engine.update { $0.metrics.workers = [restarted] }
            let third = ControlTest.text(try await client.execute(uri: "/metrics", method: .get))
            #expect(Self.sample(third, #"meshcast_packets_in_total{worker="0"}"#) == 160)
            #expect(Self.sample(third, #"meshcast_bytes_in_total{worker="0"}"#) == 120_000)
        }
    }
}
