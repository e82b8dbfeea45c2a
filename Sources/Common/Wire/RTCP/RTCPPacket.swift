/// What every RTCP packet type offers: parse from a packet view, size, and write.
public protocol RTCPPacketFormat {
    /// Parses the typed packet from a validated common header; borrows its bytes.
    init(parsing packet: RTCPPacketView) throws(RTCPError)
    /// Bytes the packet takes on the wire, header and padding included.
    var marshalSize: Int { get }
    /// Writes the packet; writes nothing when the buffer is too small.
    func marshal(into writer: inout ByteWriter) throws(RTCPError)
}

extension RTCPPacketFormat {
    /// Parses a buffer holding exactly one packet of this type.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(RTCPError) {
        try self.init(parsing: RTCPPacketView(parsing: bytes))
    }
}

/// Any RTCP packet of a compound, dispatched on packet type and feedback format.
public enum RTCPPacket: RTCPPacketFormat {
    /// SR (RFC 3550 §6.4.1).
    case senderReport(SenderReport)
    /// RR (RFC 3550 §6.4.2).
    case receiverReport(ReceiverReport)
    /// SDES (RFC 3550 §6.5).
    case sourceDescription(SourceDescription)
    /// BYE (RFC 3550 §6.6).
    case goodbye(Goodbye)
    /// Generic NACK (RFC 4585 §6.2.1).
    case genericNACK(GenericNACK)
    /// Transport-wide congestion control feedback (draft-holmer-rmcat-transport-wide-cc-extensions-01).
    case transportWideCCFeedback(TransportWideCCFeedback)
    /// PLI (RFC 4585 §6.3.1).
    case pictureLossIndication(PictureLossIndication)
    /// FIR (RFC 5104 §4.3.1).
    case fullIntraRequest(FullIntraRequest)
    /// REMB (draft-alvestrand-rmcat-remb).
    case receiverEstimatedMaxBitrate(ReceiverEstimatedMaxBitrate)
    /// Any other packet (APP, XR, other feedback), kept as bytes.
    case other(RTCPPacketView)

    /// Parses the packet by its type and format.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        switch (packet.packetType, packet.count) {
        case (RTCPPacketType.senderReport, _): self = .senderReport(try SenderReport(parsing: packet))
        case (RTCPPacketType.receiverReport, _): self = .receiverReport(try ReceiverReport(parsing: packet))
        case (RTCPPacketType.sourceDescription, _): self = .sourceDescription(try SourceDescription(parsing: packet))
        case (RTCPPacketType.goodbye, _): self = .goodbye(try Goodbye(parsing: packet))
        case (RTCPPacketType.transportFeedback, GenericNACK.format):
            self = .genericNACK(try GenericNACK(parsing: packet))
        case (RTCPPacketType.transportFeedback, TransportWideCCFeedback.format):
            self = .transportWideCCFeedback(try TransportWideCCFeedback(parsing: packet))
        case (RTCPPacketType.payloadFeedback, PictureLossIndication.format):
            self = .pictureLossIndication(try PictureLossIndication(parsing: packet))
        case (RTCPPacketType.payloadFeedback, FullIntraRequest.format):
            self = .fullIntraRequest(try FullIntraRequest(parsing: packet))
        case (RTCPPacketType.payloadFeedback, ReceiverEstimatedMaxBitrate.format)
        where ReceiverEstimatedMaxBitrate.isREMB(packet):
            self = .receiverEstimatedMaxBitrate(try ReceiverEstimatedMaxBitrate(parsing: packet))
        default: self = .other(packet)
        }
    }

    /// Bytes the packet takes on the wire.
    public var marshalSize: Int {
        switch self {
        case .senderReport(let packet): packet.marshalSize
        case .receiverReport(let packet): packet.marshalSize
        case .sourceDescription(let packet): packet.marshalSize
        case .goodbye(let packet): packet.marshalSize
        case .genericNACK(let packet): packet.marshalSize
        case .transportWideCCFeedback(let packet): packet.marshalSize
        case .pictureLossIndication(let packet): packet.marshalSize
        case .fullIntraRequest(let packet): packet.marshalSize
        case .receiverEstimatedMaxBitrate(let packet): packet.marshalSize
        case .other(let packet): packet.bytes.count
        }
    }

    /// Writes the packet (an unrecognised one byte for byte).
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        switch self {
        case .senderReport(let packet): try packet.marshal(into: &writer)
        case .receiverReport(let packet): try packet.marshal(into: &writer)
        case .sourceDescription(let packet): try packet.marshal(into: &writer)
        case .goodbye(let packet): try packet.marshal(into: &writer)
        case .genericNACK(let packet): try packet.marshal(into: &writer)
        case .transportWideCCFeedback(let packet): try packet.marshal(into: &writer)
        case .pictureLossIndication(let packet): try packet.marshal(into: &writer)
        case .fullIntraRequest(let packet): try packet.marshal(into: &writer)
        case .receiverEstimatedMaxBitrate(let packet): try packet.marshal(into: &writer)
        case .other(let packet):
            try writingRTCP { () throws(ByteWriter.Overflow) in try writer.write(bytes: packet.bytes) }
        }
    }
}
