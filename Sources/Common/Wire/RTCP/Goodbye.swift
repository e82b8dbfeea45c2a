/// An RTCP BYE (RFC 3550 §6.6): the sources leaving and an optional reason.
public struct Goodbye: RTCPPacketFormat, Equatable {
    /// The sources leaving (at most 31).
    public var ssrcs: RTCPList<UInt32>
    /// Why they leave (UTF-8, at most 255 bytes), when given.
    public var reason: RTCPBytes?

    /// A BYE for `ssrcs` with an optional `reason`.
    public init(ssrcs: [UInt32], reason: String? = nil) {
        self.ssrcs = RTCPList(ssrcs)
        self.reason = reason.map { RTCPBytes(copying: Array($0.utf8)) }
    }

    /// Parses a BYE, checking the SSRC count and the reason's length octet.
    public init(parsing packet: RTCPPacketView) throws(RTCPError) {
        try packet.expect(RTCPPacketType.goodbye)
        let listEnd = packet.count * 4
        try packet.requireBody(listEnd)
        let body = packet.body
        ssrcs = RTCPList(borrowing: body, count: packet.count)
        if listEnd < body.count {
            let length = Int(body[listEnd])
            guard listEnd + 1 + length <= body.count else {
                throw .goodbyeReasonOverrun(length: length, available: body.count - listEnd - 1)
            }
            reason = RTCPBytes(
                borrowing: UnsafeRawBufferPointer(rebasing: body[(listEnd + 1)..<(listEnd + 1 + length)]))
        } else {
            reason = nil
        }
    }

    /// The reason as text, replacing invalid UTF-8 (allocates; for logs and the control plane).
    public var reasonText: String? { reason.map { String(decoding: $0.buffer, as: UTF8.self) } }

    /// Bytes on the wire; the reason is zero-padded to a word.
    public var marshalSize: Int { 4 + ssrcs.marshalSize + (reason.map { ($0.count + 1 + 3) & ~3 } ?? 0) }

    /// Writes the BYE.
    public func marshal(into writer: inout ByteWriter) throws(RTCPError) {
        if let reason, reason.count > 255 { throw .valueOutOfRange(field: "BYE reason length \(reason.count)") }
        try RTCPHeader.write(
            count: ssrcs.count, packetType: RTCPPacketType.goodbye, packetSize: marshalSize, into: &writer)
        try writingRTCP { () throws(ByteWriter.Overflow) in
            try ssrcs.marshal(into: &writer)
            if let reason {
                try writer.write(UInt8(reason.count))
                try writer.write(bytes: reason.buffer)
                try writer.writeZeros((4 - (reason.count + 1) % 4) % 4)
            }
        }
    }
}
