import MeshCluster
import Testing

@testable import MeshRTC

/// The origin describes its tracks in the stream record; relays and edges rebuild them from it.
/// Relay links forward the origin's stored bytes, whose abs-capture-time element keeps the
/// publisher's `a=extmap` ID (RFC 8285 §5), so the ID must survive the description.
@Suite("Mesh track catalog")
struct MeshTrackCatalogTests {
    /// A simulcast video track of two layers and an audio track, with `captureTimeID` on the video.
    static func record(captureTimeID: UInt8?) -> StreamRecord {
        StreamRecord(
            name: "cam1", originNode: "origin-1",
            tracks: [
                MeshTrack(
                    trackID: "1", kind: .video, ssrc: 0x5151_0001, codec: "VP8", payloadType: 96, clockRate: 90_000,
                    rid: "q", captureTimeID: captureTimeID),
                MeshTrack(
                    trackID: "1", kind: .video, ssrc: 0x5151_0002, codec: "VP8", payloadType: 96, clockRate: 90_000,
                    rid: "f", captureTimeID: captureTimeID),
                MeshTrack(
                    trackID: "0", kind: .audio, ssrc: 0x5151_0003, codec: "opus", payloadType: 111, clockRate: 48_000),
            ], startedAt: 1_700_000_000_000)
    }

    @Test("rebuilt tracks keep the publisher's abs-capture-time ID, and describe it again", arguments: [UInt8(9), nil])
    func captureTimeIDRoundTrip(captureTimeID: UInt8?) throws {
        let record = Self.record(captureTimeID: captureTimeID)
        let tracks = try MeshTrackCatalog.tracks(from: record)
        #expect(tracks.map(\.mid) == ["1", "0"])
        #expect(tracks.map(\.captureTimeID) == [captureTimeID, nil])
        let described = MeshTrackCatalog.record(
            name: record.name, originNode: record.originNode, tracks: tracks, startedAt: record.startedAt)
        #expect(described.tracks.map(\.captureTimeID) == record.tracks.map(\.captureTimeID))
    }
}
