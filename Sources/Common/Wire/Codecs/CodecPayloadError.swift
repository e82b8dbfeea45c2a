/// Why a codec payload (the bytes after the RTP header) was rejected.
///
/// Each case names the RFC rule the bytes break, so a log line points straight at the spec.
/// Cases carry no strings or arrays: throwing one allocates nothing on the packet path.
public enum CodecPayloadError: Error, Equatable, Sendable, CustomStringConvertible {
    /// RFC 7741 §4.2: the VP8 payload descriptor ends before a field its flag bits announce.
    case vp8DescriptorTruncated
    /// RFC 7741 §4.2: a descriptor with no VP8 payload bytes after it.
    case vp8PayloadMissing
    /// RFC 7741 §4.3: the start of partition 0 holds fewer than the 3 bytes of the payload header.
    case vp8PayloadHeaderTruncated
    /// RFC 6386 §9.1: a key frame ends before its start code, width and height (10 bytes with
    /// the frame tag).
    case vp8KeyFrameHeaderTruncated
    /// RFC 6386 §9.1: a key frame's start code is not 0x9d 0x01 0x2a.
    case vp8StartCodeInvalid
    /// RFC 6386 §9.1: a key frame states a width or height of 0.
    case vp8FrameSizeZero
    /// RFC 9628 §4.2: the VP9 payload descriptor ends before a field its flag bits announce.
    case vp9DescriptorTruncated
    /// RFC 9628 §4.2: a descriptor with no VP9 payload bytes after it.
    case vp9PayloadMissing
    /// RFC 9628 §4.2: a fourth P_DIFF announced (N set on the third); at most 3 are allowed.
    case vp9TooManyReferenceIndices
    /// RFC 9628 §4.2.1: the scalability structure ends before its flags say it should.
    case vp9ScalabilityStructureTruncated
    /// VP9 Bitstream Specification §7.2: frame_marker is not 2.
    case vp9FrameMarkerInvalid
    /// VP9 Bitstream Specification §6.2, §6.2.2: a reserved_zero bit is 1.
    case vp9ReservedBitSet
    /// VP9 Bitstream Specification §6.2: a key frame's uncompressed header ends before its
    /// frame size.
    case vp9UncompressedHeaderTruncated
    /// VP9 Bitstream Specification §7.2.1: frame_sync_code is not 0x49 0x83 0x42.
    case vp9FrameSyncCodeInvalid
    /// VP9 Bitstream Specification §7.2.2: RGB (4:4:4) in profile 0 or 2, or 4:2:0 in
    /// profile 1 or 3.
    case vp9ColorConfigInvalid
    /// VP9 Bitstream Specification §6.2.3: a frame 65536 pixels wide or tall, legal but more
    /// than ``VideoDimensions`` (16 bits) holds and more than any WebRTC sender makes.
    case vp9FrameSizeTooLarge
    /// RFC 6184 §5.3: an empty payload has no NAL unit header.
    case h264PayloadMissing
    /// RFC 6184 §5.4 (Table 3): STAP-B (25), MTAP16 (26), MTAP24 (27) and FU-B (29) are not
    /// allowed in packetization-mode 1 (non-interleaved).
    case h264PacketTypeNotAllowedInMode1(UInt8)
    /// RFC 6184 §5.4 (Table 3): NAL unit types 0, 30 and 31 are undefined and are ignored.
    case h264PacketTypeUndefined(UInt8)
    /// RFC 6184 §5.7.1: a STAP-A unit size runs past the packet, a size is zero, or bytes
    /// remain that cannot hold another size field.
    case h264AggregationMalformed
    /// RFC 6184 §5.7.1: a STAP-A that aggregates no NAL unit.
    case h264AggregationEmpty
    /// RFC 6184 §5.8: an FU-A shorter than its FU indicator and FU header.
    case h264FragmentTruncated
    /// RFC 6184 §5.8: the S and E bits MUST NOT both be set in one FU header.
    case h264FragmentStartAndEnd
    /// RFC 6184 §5.8: the FU header names a NAL unit type that cannot be fragmented (0 or 24–31).
    case h264FragmentedTypeInvalid(UInt8)
    /// RFC 6184 §5.3: forbidden_zero_bit is 1, which H.264 declares a syntax violation.
    case h264ForbiddenBitSet
    /// ITU-T H.264 §7.3.2.1.1: a sequence parameter set ends before its frame cropping fields.
    case h264SPSTruncated
    /// ITU-T H.264 §7.4.2.1.1: a sequence parameter set field is outside its allowed range
    /// (or an Exp-Golomb code is longer than 32 bits, §9.1).
    case h264SPSValueOutOfRange
    /// ITU-T H.264 §7.4.2.1.1: the cropping window is empty or the picture is wider or taller
    /// than 65535 pixels.
    case h264SPSSizeInvalid
    /// RFC 6716 §3.4 [R1]: a packet has at least one byte (the TOC byte).
    case opusR1Empty
    /// RFC 6716 §3.4 [R2]: no implicit frame length is larger than 1275 bytes.
    case opusR2FrameTooLong
    /// RFC 6716 §3.4 [R3]: a code 1 packet has an odd total length.
    case opusR3Code1LengthEven
    /// RFC 6716 §3.4 [R4]: a code 2 packet has a valid first frame length no larger than
    /// the bytes that remain.
    case opusR4Code2FrameLengthInvalid
    /// RFC 6716 §3.4 [R5]: a code 3 packet has at least one frame and at most 120 ms of audio.
    case opusR5Code3FrameCountInvalid
    /// RFC 6716 §3.4 [R6]: a CBR code 3 packet's padding and frames must divide its length.
    case opusR6Code3ConstantBitrateLengthInvalid
    /// RFC 6716 §3.4 [R7]: a VBR code 3 packet must hold its header bytes, the first M-1
    /// frames and its padding.
    case opusR7Code3VariableBitrateLengthInvalid

    /// The rule broken, with its RFC and section, for logs.
    public var description: String {
        switch self {
        case .vp8DescriptorTruncated: "RFC 7741 §4.2: VP8 payload descriptor truncated"
        case .vp8PayloadMissing: "RFC 7741 §4.2: no VP8 payload after the descriptor"
        case .vp8PayloadHeaderTruncated: "RFC 7741 §4.3: VP8 payload header truncated"
        case .vp8KeyFrameHeaderTruncated: "RFC 6386 §9.1: VP8 key frame header truncated"
        case .vp8StartCodeInvalid: "RFC 6386 §9.1: VP8 key frame start code invalid"
        case .vp8FrameSizeZero: "RFC 6386 §9.1: VP8 key frame width or height is 0"
        case .vp9DescriptorTruncated: "RFC 9628 §4.2: VP9 payload descriptor truncated"
        case .vp9PayloadMissing: "RFC 9628 §4.2: no VP9 payload after the descriptor"
        case .vp9TooManyReferenceIndices: "RFC 9628 §4.2: more than 3 P_DIFF reference indices"
        case .vp9ScalabilityStructureTruncated: "RFC 9628 §4.2.1: scalability structure truncated"
        case .vp9FrameMarkerInvalid: "VP9 §7.2: frame_marker is not 2"
        case .vp9ReservedBitSet: "VP9 §6.2: reserved_zero bit set"
        case .vp9UncompressedHeaderTruncated: "VP9 §6.2: key frame uncompressed header truncated"
        case .vp9FrameSyncCodeInvalid: "VP9 §7.2.1: frame_sync_code invalid"
        case .vp9ColorConfigInvalid: "VP9 §7.2.2: color config not allowed in this profile"
        case .vp9FrameSizeTooLarge: "VP9 §6.2.3: frame side of 65536 pixels"
        case .h264PayloadMissing: "RFC 6184 §5.3: empty H.264 payload"
        case .h264PacketTypeNotAllowedInMode1(let type):
            "RFC 6184 §5.4: packet type \(type) not allowed in packetization-mode 1"
        case .h264PacketTypeUndefined(let type): "RFC 6184 §5.4: undefined packet type \(type)"
        case .h264AggregationMalformed: "RFC 6184 §5.7.1: STAP-A NAL unit sizes do not fit the packet"
        case .h264AggregationEmpty: "RFC 6184 §5.7.1: STAP-A aggregates no NAL unit"
        case .h264FragmentTruncated: "RFC 6184 §5.8: FU-A shorter than its indicator and header"
        case .h264FragmentStartAndEnd: "RFC 6184 §5.8: FU-A with both S and E bits set"
        case .h264FragmentedTypeInvalid(let type): "RFC 6184 §5.8: FU-A carries NAL unit type \(type)"
        case .h264ForbiddenBitSet: "RFC 6184 §5.3: forbidden_zero_bit set"
        case .h264SPSTruncated: "H.264 §7.3.2.1.1: sequence parameter set truncated"
        case .h264SPSValueOutOfRange: "H.264 §7.4.2.1.1: sequence parameter set value out of range"
        case .h264SPSSizeInvalid: "H.264 §7.4.2.1.1: sequence parameter set picture size invalid"
        case .opusR1Empty: "RFC 6716 §3.4 [R1]: empty Opus packet"
        case .opusR2FrameTooLong: "RFC 6716 §3.4 [R2]: Opus frame longer than 1275 bytes"
        case .opusR3Code1LengthEven: "RFC 6716 §3.4 [R3]: code 1 Opus packet of even length"
        case .opusR4Code2FrameLengthInvalid: "RFC 6716 §3.4 [R4]: code 2 Opus frame length invalid"
        case .opusR5Code3FrameCountInvalid: "RFC 6716 §3.4 [R5]: code 3 Opus frame count invalid"
        case .opusR6Code3ConstantBitrateLengthInvalid: "RFC 6716 §3.4 [R6]: CBR code 3 Opus length invalid"
        case .opusR7Code3VariableBitrateLengthInvalid: "RFC 6716 §3.4 [R7]: VBR code 3 Opus length invalid"
        }
    }
}
