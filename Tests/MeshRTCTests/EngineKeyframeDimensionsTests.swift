import MeshTestSupport
import MeshWire
import Testing

@testable import MeshRTC

/// `KeyframeDimensions.read`, what ingest will call to learn each simulcast layer's size, over
/// key frames captured from real encoders (Tests/Fixtures/codecs, Tests/Fixtures/rtp): the
/// size where a key frame header or an SPS is (RFC 6386 §9.1, VP9 §6.2, H.264 §7.3.2.1.1),
/// nil on every other packet, and never a size where `KeyframeDetector` sees no key frame.
@Suite struct EngineKeyframeDimensionsTests {
    @Test(arguments: [
        (CodecKind.vp8, "rtp/vp8.rtp", 320, 240), (.vp8, "codecs/vp8-640x360.rtp", 640, 360),
        (.vp9, "rtp/vp9.rtp", 320, 240), (.vp9, "codecs/vp9-profile0-640x360.rtp", 640, 360),
        (.vp9, "codecs/vp9-profile2-320x180.rtp", 320, 180),
        (.h264, "rtp/h264.rtp", 320, 240), (.h264, "codecs/h264-baseline-1280x720.rtp", 1280, 720),
        (.h264, "codecs/h264-baseline-320x180.rtp", 320, 180), (.h264, "codecs/h264-high-1920x1080.rtp", 1920, 1080),
    ])
    func capturedStreams(codec: CodecKind, path: String, width: Int, height: Int) throws {
        let frames = CodecCapture.frames(try CodecCapture.packets(path))
        let expected = VideoDimensions(width: UInt16(width), height: UInt16(height))
        var found = 0
        for (index, frame) in frames.enumerated() {
            for (position, packet) in frame.enumerated() {
                packet.payload.withUnsafeBytes { payload in
                    let dimensions = KeyframeDimensions.read(codec, payload: payload)
                    // The captures have a key frame every 10 frames, its header in the first packet.
                    let isKeyFrameStart = position == 0 && index % 10 == 0
                    #expect(
                        dimensions == (isKeyFrameStart ? expected : nil), "\(path) frame \(index) packet \(position)")
                    if dimensions != nil {
                        found += 1
                        #expect(KeyframeDetector.isKeyframeStart(codec, payload: payload))
                    }
                }
            }
        }
        #expect(found == (frames.count + 9) / 10)
    }

    /// Chromium's key frame (OpenH264) as its packetizer sends it: STAP-A [SPS, PPS], then the
    /// IDR in FU-As; only the STAP-A gives a size.
    @Test func chromiumH264Packetization() throws {
        let units = try CodecCapture.nalUnits("codecs/chromium-h264-640x360.h264")
        let (sps, pps, idr) = (units[0], units[1], units[2])
        let stapA: [UInt8] = [0x78] + [0, UInt8(sps.count)] + sps + [0, UInt8(pps.count)] + pps
        let half = idr.count / 2
        let fuStart: [UInt8] = [idr[0] & 0xE0 | 28, 0x80 | 5] + idr[1..<half]
        let fuEnd: [UInt8] = [idr[0] & 0xE0 | 28, 0x40 | 5] + idr[half...]
        let read = { (payload: [UInt8]) in payload.withUnsafeBytes { KeyframeDimensions.read(.h264, payload: $0) } }
        #expect(read(stapA) == VideoDimensions(width: 640, height: 360))
        #expect(read(fuStart) == nil && read(fuEnd) == nil)
        #expect(read(sps) == VideoDimensions(width: 640, height: 360))  // a lone SPS
        #expect(read(Array(sps.prefix(5))) == nil)  // cut before the picture size: malformed
    }

    /// Audio has no picture, whatever its bytes; a video key frame read as audio gives nil too.
    @Test func audioGivesNil() throws {
        let opus = try #require(try CodecCapture.packets("rtp/opus.rtp").first)
        let vp8KeyFrame = try #require(try CodecCapture.packets("codecs/vp8-640x360.rtp").first)
        opus.payload.withUnsafeBytes { #expect(KeyframeDimensions.read(.opus, payload: $0) == nil) }
        vp8KeyFrame.payload.withUnsafeBytes { payload in
            #expect(KeyframeDimensions.read(.opus, payload: payload) == nil)
            #expect(KeyframeDimensions.read(.vp8, payload: payload) == VideoDimensions(width: 640, height: 360))
        }
    }
}
