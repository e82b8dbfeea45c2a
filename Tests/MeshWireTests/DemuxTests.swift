import MeshTestSupport
import MeshWire
import Testing

/// RFC 7983 §7 first-byte ranges and the RFC 5761 §4 RTP/RTCP split.
@Suite struct DemuxTests {
    /// Every first byte against the RFC 7983 §7 table, with a second byte that reads as RTP.
    @Test func firstByteTable() {
        for first in 0...255 {
            let expected: DemuxedPacketKind =
                switch first {
                case 0...3: .stun
                case 16...19: .zrtp
                case 20...63: .dtls
                case 64...79: .turnChannel
                case 128...191: .rtp
                default: .drop
                }
            let packet: [UInt8] = [UInt8(first), 96, 0, 0]  // second byte: payload type 96
            packet.withUnsafeBytes { bytes in
                let kind = RFC7983Demultiplexer.classify(bytes)
                if kind != expected { Issue.record("first byte \(first): \(kind), expected \(expected)") }
            }
        }
    }

    /// RFC 5761 §4: payload types 64...95 (after masking the marker bit) are RTCP packet
    /// types 192...223; everything else on 128...191 is RTP.
    @Test func rtpVersusRTCP() {
        for second in 0...255 {
            let packet: [UInt8] = [0x80, UInt8(second)]
            let payloadType = second & 0x7F
            let expected: DemuxedPacketKind = (64...95).contains(payloadType) ? .rtcp : .rtp
            packet.withUnsafeBytes { bytes in
                #expect(RFC7983Demultiplexer.classify(bytes) == expected, "second byte \(second)")
            }
        }
        // Real RTCP: SR (200), RR (201), SDES (202), BYE (203), RTPFB (205), PSFB (206).
        for packetType: UInt8 in [200, 201, 202, 203, 205, 206] {
            [0x81, packetType, 0x00, 0x01].withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .rtcp) }
        }
    }

    @Test func shortPacketsDrop() {
        [UInt8]().withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .drop) }
        [UInt8(0x80)].withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .drop) }
        [UInt8(0x00)].withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .stun) }
    }

    @Test func realPacketsClassify() {
        rfc5769Request.withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .stun) }
        // DTLS 1.2 ClientHello record: content type 22, version 0xFEFD.
        [22, 0xFE, 0xFD, 0, 0].withUnsafeBytes { #expect(RFC7983Demultiplexer.classify($0) == .dtls) }
    }
}
