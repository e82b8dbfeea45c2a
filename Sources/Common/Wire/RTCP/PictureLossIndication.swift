/// A Picture Loss Indication (RFC 4585 §6.3.1): PSFB with FMT 1 and no FCI.
public struct PictureLossIndication: RTCPPacketFormat, Equatable {
    /// The feedback message type of PLI.
    public static let format = 1
    /// The SSRC of the sender of this feedback.
    public var senderSSRC: UInt32
    /// The SSRC of the media source that should send a keyframe.
    public var mediaSSRC: UInt32

    /// A PLI from `senderSSRC` about `mediaSSRC`.
    public init(senderSSRC: UInt32, mediaSSRC: UInt32) {
        self.senderSSRC = senderSSRC
        self.mediaSSRC = mediaSSRC
    }

    /// Parses a PLI.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.payloadFeedback, format: Self.format)
        try packet.requireBody(8)
        senderSSRC = packet.body.bigEndianUInt32(at: 0)
        mediaSSRC = packet.body.bigEndianUInt32(at: 4)
    }

    /// Always 12 bytes.
    public var marshalSize: Int { 12 }

    /// Writes the PLI.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        try RTCPHeader.write(
            count: Self.format, packetType: RTCPPacketType.payloadFeedback, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try writer.write(senderSSRC)
            try writer.write(mediaSSRC)
        }
    }
}
