/// An RTCP Receiver Report (RFC 3550 §6.4.2): the reporter's SSRC and report blocks read lazily.
public struct ReceiverReport: RTCPPacketFormat, Equatable {
    /// The reporter's SSRC.
    public var ssrc: UInt32
    /// Reception report blocks (at most 31).
    public var reportBlocks: RTCPList<ReceptionReport>
    /// Profile-specific extension bytes after the blocks, kept as they came.
    public var profileExtension: RTCPBytes

    /// A report with the given fields.
    public init(ssrc: UInt32, reportBlocks: [ReceptionReport] = [], profileExtension: RTCPBytes = .empty) {
        self.ssrc = ssrc
        self.reportBlocks = RTCPList(reportBlocks)
        self.profileExtension = profileExtension
    }

    /// Parses an RR, checking that its report count fits the length.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.receiverReport)
        let blocksEnd = 4 + packet.count * ReceptionReport.wireSize
        try packet.requireBody(blocksEnd)
        let body = packet.body
        ssrc = body.bigEndianUInt32(at: 0)
        (reportBlocks, profileExtension) = ReportTail.parse(body, blocksAt: 4, count: packet.count)
    }

    /// Bytes on the wire; the profile extension is zero-padded to a word.
    public var marshalSize: Int { 4 + 4 + ReportTail.marshalSize(reportBlocks, profileExtension) }

    /// Writes the RR.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: reportBlocks.count, packetType: RTCPPacketType.receiverReport, packetSize: marshalSize, into: &writer
        )
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(ssrc)
            try ReportTail.write(reportBlocks, profileExtension, into: &writer)
        }
    }
}
