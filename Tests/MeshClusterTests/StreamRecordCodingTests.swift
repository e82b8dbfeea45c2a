import Foundation
import MeshCluster
import Testing

/// A stream record's tracks as StreamDirectory stores them in Redis (JSON, sorted keys).
@Suite("Stream record JSON")
struct StreamRecordCodingTests {
    static func encode(_ tracks: [MeshTrack]) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = .sortedKeys
        return String(decoding: try encoder.encode(tracks), as: UTF8.self)
    }

    static func decode(_ json: String) throws -> [MeshTrack] {
        try JSONDecoder().decode([MeshTrack].self, from: Data(json.utf8))
    }

    /// The abs-capture-time ID is the publisher's `a=extmap` ID (RFC 8285 §5), 1–255.
    @Test("a track with its abs-capture-time ID round-trips under capture_time_id")
    func withCaptureTimeID() throws {
        let track = MeshTrack(
            trackID: "1", kind: .video, ssrc: 0x5151_0001, codec: "VP8", payloadType: 96, clockRate: 90_000, rid: "h",
            captureTimeID: 200)
        let json = try Self.encode([track])
        #expect(json.contains(#""capture_time_id":200"#))
        #expect(try Self.decode(json) == [track])
    }

    @Test("a track without one writes no key and round-trips")
    func withoutCaptureTimeID() throws {
        let track = MeshTrack(
            trackID: "0", kind: .audio, ssrc: 0x5151_0003, codec: "opus", payloadType: 111, clockRate: 48_000)
        let json = try Self.encode([track])
        #expect(!json.contains("capture_time_id"))
        #expect(try Self.decode(json) == [track])
    }

    @Test("a record written before the field existed still decodes, without an ID")
    func oldRecord() throws {
        // The JSON an origin wrote before capture_time_id: the field names, sorted.
        let json = #"""
            [{"clockRate":90000,"codec":"VP8","kind":"video","payloadType":96,"rid":"q","ssrc":1364262913,"trackID":"1"}]
            """#
        let tracks = try Self.decode(json)
        #expect(tracks.count == 1)
        #expect(tracks.first?.ssrc == 0x5151_0001)
        #expect(tracks.first?.rid == "q")
        #expect(tracks.first?.captureTimeID == nil)
    }
}
