import MeshWire

/// Whether an RTP payload starts a frame a decoder can begin at, per codec. Every Opus packet
/// is such a point (each frame decodes on its own), so a new audio viewer starts at once.
///
/// VP9 trusts the frame header over the descriptor's P bit: ffmpeg's muxer leaves P=0 on every
/// frame (Tests/Fixtures/rtp/vp9.rtp), and a layer switch on a delta frame shows garbage.
enum KeyframeDetector {
    static func isKeyframeStart(_ codec: CodecKind, payload: UnsafeRawBufferPointer) -> Bool {
        switch codec {
        case .opus:
            return true
        case .vp8:
            guard let descriptor = try? VP8PayloadDescriptor(parsing: payload) else { return false }
            return descriptor.isStartOfFrame && descriptor.isKeyFrame
        case .vp9:
            guard let descriptor = try? VP9PayloadDescriptor(parsing: payload) else { return false }
            if let fromBitstream = descriptor.bitstreamIsKeyFrame(in: payload) { return fromBitstream }
            return false
        case .h264:
            guard let h264 = try? H264Payload(parsing: payload) else { return false }
            // The type already counts an FU-A's IDR only on its start fragment (S=1).
            return h264.isKeyFrame
        }
    }
}
