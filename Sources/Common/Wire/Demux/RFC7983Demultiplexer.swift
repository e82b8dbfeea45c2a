/// What a packet arriving on a shared WebRTC/TURN port is, judged by its first byte as
/// RFC 7983 §7 lays out (with the TURN channel range of RFC 8656 §12), and, for RTP/RTCP,
/// by the payload type field as RFC 5761 §4 allows.
public enum DemuxedPacketKind: Sendable, Equatable {
    /// First byte 0...3: STUN.
    case stun
    /// First byte 16...19: ZRTP.
    case zrtp
    /// First byte 20...63: DTLS.
    case dtls
    /// First byte 64...79: TURN ChannelData.
    case turnChannel
    /// First byte 128...191 and a payload type outside 64...95: RTP.
    case rtp
    /// First byte 128...191 and a payload type in 64...95 (packet types 192...223): RTCP.
    case rtcp
    /// Anything else (including empty packets and RTP/RTCP shorter than 2 bytes): drop it.
    case drop
}

/// The first-byte demultiplexer of RFC 7983 §7. Pure and allocation-free; one call per packet.
public enum RFC7983Demultiplexer {
    /// Classifies `packet` by its first byte, and its second for RTP versus RTCP.
    public static func classify(_ packet: UnsafeRawBufferPointer) -> DemuxedPacketKind {
        var reader = ByteReader(packet)
        guard let first = reader.readUInt8() else { return .drop }
        switch first {
        case 0...3: return .stun
        case 16...19: return .zrtp
        case 20...63: return .dtls
        case 64...79: return .turnChannel
        case 128...191:
            guard let second = reader.readUInt8() else { return .drop }
            return isRTCP(secondByte: second) ? .rtcp : .rtp
        default: return .drop
        }
    }

    /// RFC 5761 §4: with the marker bit masked off, RTCP packet types 192...223 show up as
    /// RTP payload types 64...95, which RTP sessions sharing the port must not use.
    public static func isRTCP(secondByte: UInt8) -> Bool {
        (64...95).contains(secondByte & 0x7F)
    }
}
