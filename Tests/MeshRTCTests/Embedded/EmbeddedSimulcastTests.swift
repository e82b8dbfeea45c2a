import MeshRTC
import MeshRuntime
import Testing

/// Simulcast on embedded workers (RFC 8853): a viewer starts on the lowest layer, moves up when
/// its REMB allows and down when it no longer does, each time at a key frame of the new layer,
/// in one continuous stream. Tests/Interop/test_simulcast.py runs the same with aiortc.
@Suite("Embedded engine: simulcast layer switches", .serialized)
struct EmbeddedSimulcastTests {
    static let rids = ["q", "h", "f"]
    static let ssrcs: [UInt32] = [0x0100, 0x0200, 0x0300]
    /// Packets per 20 ms and their size, per layer: about 110, 450 and 1350 kbit/s.
    static let shape: [(packets: Int, size: Int)] = [(1, 250), (1, 1100), (3, 1100)]

    /// The publisher's side: each layer numbers its own packets; key frames every 240 ms.
    final class Layers {
        var sequences: [UInt16] = [1, 1, 1]
        var tick = 0
        /// (layer, sequence) of every key frame sent.
        var keyframes: Set<[UInt16]> = []
    }

    /// Sends every layer for `ticks` × 20 ms.
    private func send(ticks: Int, from publisher: EmbeddedPeer, layers: Layers, engines: EmbeddedEngines) throws {
        for _ in 0..<ticks {
            for layer in 0..<3 {
                for packet in 0..<Self.shape[layer].packets {
                    let sequence = layers.sequences[layer]
                    let keyframe = layers.tick % 12 == 0 && packet == 0
                    if keyframe { layers.keyframes.insert([UInt16(layer), sequence]) }
                    publisher.sendRTP(
                        EmbeddedMedia.video(
                            ssrc: Self.ssrcs[layer], sequence: sequence, keyframe: keyframe, layer: UInt8(layer),
                            rid: Self.rids[layer], size: Self.shape[layer].size))
                    layers.sequences[layer] &+= 1
                }
            }
            layers.tick += 1
            try engines.advance(by: .milliseconds(20))
        }
    }

    /// Whether every change of layer in what `viewer` received happened at a key frame.
    private func switchesAtKeyframes(_ viewer: EmbeddedPeer, layers: Layers) -> Bool {
        let video = viewer.video
        return zip(video, video.dropFirst()).allSatisfy { previous, next in
            previous.layer == next.layer || layers.keyframes.contains([UInt16(next.layer), next.source])
        }
    }

    @Test("a viewer starts on the lowest layer, goes up on REMB and down again, always at a key frame")
    func layerSwitches() async throws {
        let engines = EmbeddedEngines()
        let node = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let publisher = try await engines.publisher(of: "cam", on: node, rids: Self.rids)
        let viewer = try await engines.viewer(of: "cam", on: node)
        let layers = Layers()
        try send(ticks: 75, from: publisher, layers: layers, engines: engines)
        #expect(viewer.video.first?.layer == 0)
        #expect(Set(viewer.video.map(\.layer)) == [0])

        viewer.remb(bitrate: 10_000_000)
        try send(ticks: 75, from: publisher, layers: layers, engines: engines)
        #expect(viewer.video.last?.layer == 2)
        #expect(switchesAtKeyframes(viewer, layers: layers))

        viewer.clearReceived()
        viewer.remb(bitrate: 200_000)
        try send(ticks: 75, from: publisher, layers: layers, engines: engines)
        #expect(viewer.video.first?.layer == 2)
        #expect(viewer.video.last?.layer == 0)
        #expect(switchesAtKeyframes(viewer, layers: layers))
        #expect(viewer.videoIsContinuous)
    }
}
