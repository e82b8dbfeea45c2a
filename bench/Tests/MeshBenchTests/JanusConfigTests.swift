import Testing

@testable import MeshBench

@Suite("JanusConfig")
struct JanusConfigTests {
    private let config = JanusConfig(
        folder: "/tmp/meshbench-janus-test", httpPort: 18_088, candidateAddress: "192.0.2.2",
        rtpPortRange: 41_000...41_999,
        mountpoints: [JanusMountpoint(id: 1, videoPort: 42_000), JanusMountpoint(id: 2, videoPort: 42_002)],
        installed: [
            "plugins": ["libjanus_streaming.so", "libjanus_videoroom.so", "libjanus_echotest.so"],
            "transports": ["libjanus_http.so", "libjanus_websockets.so"],
            "loggers": ["libjanus_jsonlog.so"],
            "events": ["libjanus_sampleevh.so"],
        ])

    /// The lines of `text` that set `key`, trimmed.
    private func settings(_ key: String, in text: String) -> [String] {
        text.split(separator: "\n").map { $0.trimmingSpaces }.filter { $0.hasPrefix(key + " = ") }
    }

    @Test("Core file: ICE Lite, half trickle, one enforced address, the fixed port range")
    func core() {
        #expect(settings("ice_lite", in: config.core) == ["ice_lite = true"])
        #expect(settings("full_trickle", in: config.core) == ["full_trickle = false"])
        #expect(settings("ice_enforce_list", in: config.core) == ["ice_enforce_list = \"192.0.2.2\""])
        #expect(settings("rtp_port_range", in: config.core) == ["rtp_port_range = \"41000-41999\""])
        #expect(settings("configs_folder", in: config.core) == ["configs_folder = \"/tmp/meshbench-janus-test\""])
    }

    @Test("Every installed module but the streaming plugin and the HTTP transport is disabled")
    func disablesTheRest() {
        #expect(
            settings("disable", in: config.core) == [
                "disable = \"libjanus_echotest.so,libjanus_videoroom.so\"",
                "disable = \"libjanus_websockets.so\"",
                "disable = \"libjanus_jsonlog.so\"",
                "disable = \"libjanus_sampleevh.so\"",
            ])
    }

    @Test("HTTP transport on 127.0.0.1 only, admin API off")
    func httpTransport() {
        #expect(settings("ip", in: config.httpTransport) == ["ip = \"127.0.0.1\""])
        #expect(settings("port", in: config.httpTransport) == ["port = 18088"])
        #expect(settings("admin_http", in: config.httpTransport) == ["admin_http = false"])
    }

    @Test("One RTP mountpoint per stream: VP8 PT 96 on the video port, Opus PT 111 on the next")
    func mountpoints() {
        let text = config.streamingPlugin
        #expect(settings("id", in: text) == ["id = 1", "id = 2"])
        #expect(settings("videoport", in: text) == ["videoport = 42000", "videoport = 42002"])
        #expect(settings("audioport", in: text) == ["audioport = 42001", "audioport = 42003"])
        #expect(settings("videopt", in: text) == ["videopt = 96", "videopt = 96"])
        #expect(settings("audiopt", in: text) == ["audiopt = 111", "audiopt = 111"])
        #expect(settings("videortpmap", in: text).first == "videortpmap = \"VP8/90000\"")
        #expect(settings("audiortpmap", in: text).first == "audiortpmap = \"opus/48000/2\"")
    }
}
