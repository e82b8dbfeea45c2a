/// An RTCP Sender Report (RFC 3550 §6.4.1): sender info plus report blocks read lazily.
public struct SenderReport: RTCPPacketFormat, Equatable {
    /// The sender's SSRC.
    public var ssrc: UInt32
    /// The 64-bit NTP timestamp of this report.
    public var ntpTimestamp: UInt64
    /// The same instant in the RTP media clock.
    public var rtpTimestamp: UInt32
    /// Packets sent since the start of transmission.
    public var packetCount: UInt32
    /// Payload octets sent since the start of transmission.
    public var octetCount: UInt32
    /// Reception report blocks (at most 31).
    public var reportBlocks: RTCPList<ReceptionReport>
    /// Profile-specific extension bytes after the blocks (RFC 3550 §6.4.1), kept as they came.
    public var profileExtension: RTCPBytes

    /// A report with the given fields.
    public init(
        ssrc: UInt32, ntpTimestamp: UInt64, rtpTimestamp: UInt32, packetCount: UInt32, octetCount: UInt32,
        reportBlocks: [ReceptionReport] = [], profileExtension: RTCPBytes = .empty
    ) {
        self.ssrc = ssrc
        self.ntpTimestamp = ntpTimestamp
        self.rtpTimestamp = rtpTimestamp
        self.packetCount = packetCount
        self.octetCount = octetCount
        self.reportBlocks = RTCPList(reportBlocks)
        self.profileExtension = profileExtension
    }

    /// Parses an SR, checking that its report count fits the length.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.senderReport)
        let blocksEnd = 24 + packet.count * ReceptionReport.wireSize
        try packet.requireBody(blocksEnd)
        let body = packet.body
        ssrc = body.bigEndianUInt32(at: 0)
        ntpTimestamp = UInt64(body.bigEndianUInt32(at: 4)) << 32 | UInt64(body.bigEndianUInt32(at: 8))
        rtpTimestamp = body.bigEndianUInt32(at: 12)
        packetCount = body.bigEndianUInt32(at: 16)
        octetCount = body.bigEndianUInt32(at: 20)
        (reportBlocks, profileExtension) = ReportTail.parse(body, blocksAt: 24, count: packet.count)
    }

    /// Bytes on the wire; the profile extension is zero-padded to a word.
    public var marshalSize: Int { 4 + 24 + ReportTail.marshalSize(reportBlocks, profileExtension) }

    /// Writes the SR.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: reportBlocks.count, packetType: RTCPPacketType.senderReport, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(ssrc)
            try writer.write(ntpTimestamp)
            try writer.write(rtpTimestamp)
            try writer.write(packetCount)
            try writer.write(octetCount)
            try ReportTail.write(reportBlocks, profileExtension, into: &writer)
        }
    }
}
