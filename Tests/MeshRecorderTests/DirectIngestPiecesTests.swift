import Foundation
import Testing

@testable import MeshRTC
@testable import MeshRecorder

/// Direct ingest's pure parts: the Matroska numbers a renegotiated tap's tracks take, the
/// engine stream names that keep ingests apart from mesh streams, and the HTTP status of each
/// refusal (RFC 9725 §4.2 for the engine's, RFC 4918 §11.5 for a full storage).
@Suite struct DirectIngestPiecesTests {
    private func track(_ kind: MediaKind, _ codec: CodecKind, ssrc: UInt32) -> TappedTrack {
        TappedTrack(
            kind: kind, codec: codec, clockRate: kind == .audio ? 48000 : 90000, channels: kind == .audio ? 2 : 1,
            ssrc: ssrc)
    }

    @Test func aRenegotiatedTapKeepsTheNumbersOfItsKindAndCodec() {
        let video = track(.video, .vp8, ssrc: 1)
        let audio = track(.audio, .opus, ssrc: 2)
        // The first tap: numbered from 1 in the stream's order.
        #expect(ActiveRecording.numbering([video, audio], catalogued: [:]) == [1, 2])
        // Video alone, then audio added: video keeps 1, audio is new.
        #expect(ActiveRecording.numbering([video, audio], catalogued: [1: video]) == [1, 2])
        // The same tracks in another order keep their numbers.
        #expect(ActiveRecording.numbering([audio, video], catalogued: [1: video, 2: audio]) == [2, 1])
        // Another codec is another track: the next number after every one in use.
        let vp9 = track(.video, .vp9, ssrc: 3)
        #expect(ActiveRecording.numbering([vp9, audio], catalogued: [1: video, 2: audio]) == [3, 2])
        // Two video tracks of one codec take one catalogued number each, then a new one.
        #expect(ActiveRecording.numbering([video, video], catalogued: [1: video]) == [1, 2])
    }

    @Test func engineStreamsAreApartFromClientStreams() {
        let key = UUID()
        let first = DirectIngests.engineStream(key, generation: 0)
        #expect(first != DirectIngests.engineStream(key, generation: 1))
        #expect(first != DirectIngests.engineStream(UUID(), generation: 0))
        // Never a name a client or the mesh may give a stream.
        #expect(!RecordingRoutes.isStreamName(first) && first.hasPrefix("ingest:"))
    }

    @Test func refusalsHaveTheirStatus() {
        #expect(IngestRoutes.response(.session(.badOffer("no m-line"))).status.code == 400)
        #expect(IngestRoutes.response(.session(.noUsableCodec("none"))).status.code == 400)
        #expect(IngestRoutes.response(.unknownSession).status.code == 404)
        #expect(IngestRoutes.response(.busy).status.code == 409)
        #expect(IngestRoutes.response(.recorder(.alreadyRecording(UUID()))).status.code == 409)
        #expect(IngestRoutes.response(.recorder(.storageFull("full"))).status.code == 507)
        #expect(IngestRoutes.response(.session(.unavailable("stopping"))).status.code == 503)
    }
}
