import MeshRTC
import Testing

/// Layers ranked by what they carry (issue 11): WHIP (RFC 9725) and RFC 8853 say nothing of
/// which rid is the largest, so the key frames' sizes decide, then the bitrates.
@Suite("SFU: layer order")
struct SFULayerOrderTests {
    @Test("sizes rank first, whatever the SDP order; bitrate breaks ties and stands in while a size is unknown")
    func ranking() {
        let sizes = [1280 * 720, 640 * 360, 320 * 180]
        let highFirst = LayerOrder.ranking(count: 3, pixels: { sizes[$0] }, bitrate: { [90, 400, 1500][$0] })
        #expect(highFirst.indices == [2, 1, 0])
        #expect(highFirst.rank(of: 0) == 2)
        let sameSize = LayerOrder.ranking(count: 2, pixels: { _ in 640 * 360 }, bitrate: { [900, 300][$0] })
        #expect(sameSize.indices == [1, 0])
        let oneUnknown = LayerOrder.ranking(
            count: 3, pixels: { [0, 640 * 360, 320 * 180][$0] }, bitrate: { [1500, 400, 90][$0] })
        #expect(oneUnknown.indices == [2, 1, 0])
        #expect(LayerOrder.ranking(count: 3, pixels: { _ in 0 }, bitrate: { _ in 0 }) == .sdp(count: 3))
        // Chromium with `f` inactive, never a key frame (ci20's capture of test_node_browser.py),
        // and `h` just turned on below `q`'s rate (q 610, h 225 kbit/s: test_mesh_codecs.py's
        // capture): the sizes still decide between `q` and `h`. The bitrates used to, and a
        // viewer capped at 150 kbit/s started on `h` at 640 px.
        let inactiveTop = LayerOrder.ranking(
            count: 3, pixels: { [0, 320 * 180, 640 * 360][$0] }, bitrate: { [0, 610_000, 225_000][$0] })
        #expect(inactiveTop.indices == [0, 1, 2])
        // A full-size layer waiting for its key frame sits by its rate among the sized ones.
        let waiting = LayerOrder.ranking(
            count: 3, pixels: { [320 * 180, 0, 640 * 360][$0] }, bitrate: { [150, 1500, 400][$0] })
        #expect(waiting.indices == [0, 2, 1])
        #expect(LayerOrder(rawValue: highFirst.rawValue) == highFirst)
    }

    @Test("the selector moves up and down in rank order, not index order")
    func selectorFollowsOrder() {
        var selector = SimulcastLayerSelector(layerCount: 3)
        for (layer, rate) in [1_500_000, 400_000, 90_000].enumerated() {
            selector.setBitrate(UInt64(rate), layer: layer)
        }
        selector.setOrder(LayerOrder(indices: [2, 1, 0]))
        #expect(selector.select(estimate: nil, now: 0) == 2)
        #expect(selector.select(estimate: 600_000, now: 1) == 1)
        #expect(selector.select(estimate: 5_000_000, now: 2) == 0)
        #expect(selector.nextFlowing(above: 1) == 0)
        #expect(selector.nextFlowing(above: 0) == nil)
        // A count that does not match the track is ignored.
        selector.setOrder(LayerOrder(indices: [0, 1]))
        #expect(selector.order.indices == [2, 1, 0])
    }

    @Test("a new viewer starts on the highest layer its starting estimate or cap fits")
    func startingEstimate() {
        var estimator = ViewerBandwidthEstimator()
        #expect(estimator.startingEstimate(now: 0) == ViewerBandwidthEstimator.Configuration.defaultInitialBitrate)
        estimator.setCap(bitrate: 500_000, until: 10)
        #expect(estimator.startingEstimate(now: 5) == 500_000)
        #expect(estimator.startingEstimate(now: 10) == ViewerBandwidthEstimator.Configuration.defaultInitialBitrate)
        #expect(estimator.estimate(now: 5) == nil)
    }
}
