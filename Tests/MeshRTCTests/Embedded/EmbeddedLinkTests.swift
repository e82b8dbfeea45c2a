import MeshCluster
import MeshRTC
import MeshRuntime
import Testing

/// Origin → edge over links, on embedded workers: the cascade's data path (DESIGN.md "Relay
/// links") and a stream moving to a new link, as the coordinator does on failover
/// (Tests/Interop/test_mesh_failover.py runs the same with real processes).
@Suite("Embedded engine: links between nodes", .serialized)
struct EmbeddedLinkTests {
    static let ssrc: UInt32 = 0x0BAD_CAFE

    @Test(
        "an edge viewer gets the origin's stream over a link; moved to a new link, it goes on from the next key frame")
    func linkMove() async throws {
        let engines = EmbeddedEngines()
        let origin = try await engines.engine(id: "origin-e", firstPort: 10_000)
        let edge = try await engines.engine(id: "edge-e", role: "edge", firstPort: 11_000)
        let publisher = try await engines.publisher(of: "cam", on: origin)
        try engines.send(1...2, from: publisher, ssrc: Self.ssrc)
        let record = try #require(await origin.carriedStream("cam"))
        let first = try await engines.link(record, from: origin, to: edge)
        let viewer = try await engines.viewer(of: "cam", on: edge)
        try engines.advance(by: .milliseconds(100))
        // The edge's new feed and its viewer both want a picture: the request climbs to the publisher.
        #expect(publisher.keyframeRequests >= 1)
        try engines.send(3...10, from: publisher, ssrc: Self.ssrc, keyframeAt: 3)
        #expect(viewer.video.map(\.source) == Array(3...10))

        // The coordinator moves the stream to a new link (a new path generation); the old one closes.
        let second = try await engines.link(record, from: origin, to: edge)
        #expect(second != first)
        #expect(await origin.closeLink(first, reason: "re-pathed"))
        // The new feed wants a key frame; the publisher's gate lets one request through per 500 ms.
        let requestsBefore = publisher.keyframeRequests
        try engines.advance(by: .milliseconds(600))
        #expect(publisher.keyframeRequests > requestsBefore)
        try engines.send(11...12, from: publisher, ssrc: Self.ssrc)
        try engines.send(13...20, from: publisher, ssrc: Self.ssrc, keyframeAt: 13)
        // The new feed starts with a discontinuity: the deltas before its first key frame are not shown.
        #expect(viewer.video.map(\.source) == Array(3...10) + Array(13...20))
        #expect(viewer.videoIsContinuous)
        let status = await edge.meshStatus()
        #expect(status.streams.first?.source == .link(linkID: second, upstreamNode: "origin-e"))
    }

    /// Issue 12: an edge's viewers of a small stream join the worker its upstream link end
    /// receives on, so the stream's packets wake that worker alone.
    @Test("an edge's viewers share the worker of its upstream link")
    func edgeViewersJoinTheLinksWorker() async throws {
        let engines = EmbeddedEngines()
        let origin = try await engines.engine(id: "origin-w", firstPort: 14_000)
        let edge = try await engines.engine(id: "edge-w", role: "edge", workers: 3, firstPort: 15_000, streamFill: 100)
        let publisher = try await engines.publisher(of: "cam", on: origin)
        try engines.send(1...2, from: publisher, ssrc: Self.ssrc)
        let record = try #require(await origin.carriedStream("cam"))
        // The edge's first link end receives on worker 0 (link ends are dealt in turn); the
        // least loaded worker, where a stream's first viewer went before, is worker 2.
        _ = try await engines.link(record, from: origin, to: edge)
        let viewers = [try await engines.viewer(of: "cam", on: edge), try await engines.viewer(of: "cam", on: edge)]
        try engines.advance(by: .milliseconds(100))
        try engines.send(3...10, from: publisher, ssrc: Self.ssrc, keyframeAt: 3)
        for viewer in viewers { #expect(viewer.video.map(\.source) == Array(3...10)) }
        let forwarded = await edge.metrics().workers.map(\.packetsForwarded)
        #expect(forwarded[0] >= 16 && forwarded[1] == 0 && forwarded[2] == 0, "\(forwarded)")
    }

    /// Packets that reach the origin in one receive batch leave on the link as UDP GSO runs (one
    /// `sendmsg` with `UDP_SEGMENT` per run, Linux udp(7)), and the edge sees them in order.
    @Test("a frame's packets cross the link as one GSO run, in order")
    func linkSendsRuns() async throws {
        let engines = EmbeddedEngines()
        let origin = try await engines.engine(id: "origin-g", firstPort: 12_000)
        let edge = try await engines.engine(id: "edge-g", role: "edge", firstPort: 13_000)
        let publisher = try await engines.publisher(of: "cam", on: origin)
        try engines.send(1...2, from: publisher, ssrc: Self.ssrc)
        let record = try #require(await origin.carriedStream("cam"))
        _ = try await engines.link(record, from: origin, to: edge)
        let viewer = try await engines.viewer(of: "cam", on: edge)
        try engines.advance(by: .milliseconds(100))
        try engines.send(3...4, from: publisher, ssrc: Self.ssrc, keyframeAt: 3)
        let before = await origin.metrics().workers.map(\.linkDatagramsSegmented).reduce(0, +)

        // One frame of eight equal-size packets, all in flight at once.
        for sequence in UInt16(5)...12 {
            publisher.sendRTP(
                EmbeddedMedia.video(ssrc: Self.ssrc, sequence: sequence, keyframe: false, endsFrame: sequence == 12))
        }
        try engines.settle()

        let after = await origin.metrics().workers.map(\.linkDatagramsSegmented).reduce(0, +)
        #expect(after - before == 8)
        #expect(viewer.video.map(\.source) == Array(3...12))
    }
}
