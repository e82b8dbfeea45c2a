import MeshWire

/// The picture size a packet's key frame states, per codec, for ordering simulcast layers by
/// what they carry (nothing in WHIP says which rid is the largest).
///
/// - VP8: the key frame header after the payload descriptor (RFC 6386 §9.1, RFC 7741 §4.3).
/// - VP9: the uncompressed header of a key frame (VP9 Bitstream Specification §6.2); the frame
///   header decides, as in ``KeyframeDetector``, since senders may leave the P bit clear.
/// - H.264: the sequence parameter set (ITU-T H.264 §7.3.2.1.1, after frame cropping) in a
///   single NAL unit, a STAP-A or an FU-A start fragment (RFC 6184). Encoders send it before
///   each IDR, and it may arrive in a packet that ``KeyframeDetector`` would not single out.
///
/// `nil` for audio, for packets that carry no such header (continuations, inter frames, other
/// NAL units) and for malformed bytes. Cheap where nothing is found: H.264 packets without an
/// SPS cost the payload's NAL unit header checks (and a STAP-A's unit headers), VP8 and VP9
/// packets their payload descriptor. Nothing is allocated.
enum KeyframeDimensions {
    static func read(_ codec: CodecKind, payload: UnsafeRawBufferPointer) -> VideoDimensions? {
        switch codec {
        case .opus:
            return nil
        case .vp8:
            return (try? VP8PayloadDescriptor(parsing: payload))?.payloadHeader?.keyFrameHeader?.dimensions
        case .vp9:
            guard let descriptor = try? VP9PayloadDescriptor(parsing: payload) else { return nil }
            return (try? descriptor.keyFrameHeader(in: payload))?.dimensions
        case .h264:
            guard let h264 = try? H264Payload(parsing: payload), h264.containsSPS else { return nil }
            return (try? h264.sequenceParameterSet(in: payload))?.dimensions
        }
    }
}
