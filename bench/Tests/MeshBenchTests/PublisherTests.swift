import MeshCrypto
import MeshRTC
import MeshWire
import Testing

@testable import MeshBench

/// The publisher's offer, its paced source, and RTX answers to NACKs.
@Suite struct PublisherTests {
    static func clips(frames: Int) -> MediaClipSet {
        let key = MediaFrame(bytes: [0x50] + [UInt8](repeating: 1, count: 1999), isKeyframe: true)
        let inter = MediaFrame(bytes: [0x51] + [UInt8](repeating: 2, count: 299), isKeyframe: false)
        let layer = MediaClip(frames: [key] + Array(repeating: inter, count: frames - 1))
        return MediaClipSet(
            layers: [layer, layer, layer],
            audio: MediaClip(frames: [MediaFrame(bytes: [0xFC, 1, 2], isKeyframe: false)]))
    }

    @Test func theSimulcastOfferParsesWithThreeSendRIDsAndTheExtensions() throws {
        let offer = PublisherOffer(
            credentials: ICECredentials.generate(),
            fingerprint: CertificateFingerprint(algorithm: "sha-256", digest: [UInt8](repeating: 0xAB, count: 32)),
            host: "127.0.0.1",
            port: 5000, simulcast: true)
        let session = try SessionDescription(parsing: offer.sdp)
        #expect(session.media.count == 2)
        let video = try #require(session.media.last)
        // RFC 8851 §4: a=rid:<id> send; RFC 8853 §5.1: a=simulcast:send l;m;h.
        #expect(video.rids.map(\.id) == ["l", "m", "h"])
        #expect(offer.sdp.contains("a=simulcast:send l;m;h"))
        #expect(offer.sdp.contains("a=extmap:4 \(CaptureTimeExtension.uri)"))
        #expect(offer.sdp.contains("a=sendonly"))
    }

    @Test func packetsFollowTheClockAndTheClipLoopsWithContinuousTimestamps() {
        let source = PacedMediaSource.make(
            clips: Self.clips(frames: 3), simulcast: true,
            extensions: OutgoingExtensionIDs(mid: 1, rid: 2, captureTime: 4))
        var timestamps: [UInt32: [UInt32]] = [:]
        let start: UInt64 = 1_000_000_000
        // Ticks every 5 ms over one second: frames at 0, 1/30, ... and audio every 20 ms.
        for step in 0..<200 {
            source.tick(now: start + UInt64(step) * 5_000_000, ntp: 42) { stream, length in
                let packet = try? RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: source.buffer[..<length]))
                if let packet, packet.marker || !stream.isVideo {
                    timestamps[stream.ssrc, default: []].append(packet.timestamp)
                }
            }
        }
        #expect(source.audio.packetsSent == 50)
        for layer in source.video {
            let frames = timestamps[layer.ssrc] ?? []
            #expect(frames.count == 30)
            // 90 kHz / 30 fps: +3000 per frame, across the loop of a 3-frame clip (RFC 7741 §4.1).
            #expect(zip(frames, frames.dropFirst()).allSatisfy { $1 &- $0 == 3000 })
        }
        let audio = timestamps[source.audio.ssrc] ?? []
        #expect(zip(audio, audio.dropFirst()).allSatisfy { $1 &- $0 == 960 })  // RFC 7587 §4.2
    }

    @Test func aNACKedPacketIsResentAsRTXWithTheOriginalSequenceNumber() throws {
        let source = PacedMediaSource.make(
            clips: Self.clips(frames: 3), simulcast: true,
            extensions: OutgoingExtensionIDs(mid: 1, rid: 2, captureTime: 4))
        var firstVideo: (ssrc: UInt32, sequence: UInt16, payload: [UInt8])?
        source.tick(now: 0, ntp: 0x1234) { stream, length in
            guard stream.isVideo, firstVideo == nil,
                let packet = try? RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: source.buffer[..<length]))
            else { return }
            firstVideo = (packet.ssrc, packet.sequenceNumber, Array(packet.payload))
        }
        let original = try #require(firstVideo)
        let stream = try #require(source.stream(ssrc: original.ssrc))
        let scratch = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 2048, alignment: 16)
        defer {
            scratch.deallocate()
            buffer.deallocate()
        }
        let length = try #require(stream.writeRetransmission(of: original.sequence, scratch: scratch, into: buffer))
        let rtx = try RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: buffer[..<length]))
        // RFC 4588 §4: own SSRC and payload type, OSN first, then the original payload.
        #expect(rtx.payloadType == PublisherOffer.rtxPayloadType)
        #expect(rtx.ssrc != original.ssrc)
        #expect(
            Array(rtx.payload) == [UInt8(original.sequence >> 8), UInt8(original.sequence & 0xFF)] + original.payload)
        // RFC 8852 §3.2: the layer is named in repaired-rid; the capture time is the original's.
        #expect(
            rtx.headerExtension?.element(id: PublisherOffer.repairedRIDID).map { Array($0.value) } == Array("l".utf8))
        #expect(CaptureTimeExtension.read(from: rtx, id: 4) == 0x1234)
        #expect(stream.writeRetransmission(of: original.sequence &- 100, scratch: scratch, into: buffer) == nil)
        #expect(stream.packetsResent == 1)
    }

    @Test func aRedirectCarriesTheTokenInAccessToken() {
        #expect(OfferRequest.accessToken(in: "/whip/s?access_token=abc.def&x=1") == "abc.def")
        #expect(OfferRequest.accessToken(in: "/whip/s") == nil)
    }
}
