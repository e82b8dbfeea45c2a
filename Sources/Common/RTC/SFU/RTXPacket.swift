import MeshWire

/// RTP retransmission payload format (RFC 4588 §4): the retransmitted packet travels on its
/// own SSRC, payload type and sequence space, with the original sequence number (OSN)
/// prepended to the original payload. Both directions work in caller buffers and allocate nothing.
public enum RTXPacket {
    /// Writes the RTX form of `original` into `buffer`: same header (CSRCs and extensions kept),
    /// with `ssrc`, `payloadType` and `sequence` of the RTX stream, then the OSN and the
    /// original payload; padding is dropped (§4: padding belongs to the RTX packet).
    /// Returns the length, or `nil` when `original` is not RTP or `buffer` is too small.
    public static func wrap(
        _ original: UnsafeRawBufferPointer, ssrc: UInt32, payloadType: UInt8, sequence: UInt16,
        into buffer: UnsafeMutableRawBufferPointer
    ) -> Int? {
        guard let view = try? RTPPacketView(parsing: original) else { return nil }
        let header = view.headerLength
        let length = header + 2 + view.payloadRange.count
        guard buffer.count >= length else { return nil }
        var writer = ByteWriter(buffer)
        do {
            try writer.write(bytes: UnsafeRawBufferPointer(rebasing: original[0..<header]))
            try writer.write(view.sequenceNumber)
            try writer.write(bytes: view.payload)
        } catch {
            return nil
        }
        buffer[0] &= ~0x20  // P: no padding follows
        guard let rewriter = try? RTPPacketRewriter(UnsafeMutableRawBufferPointer(rebasing: buffer[0..<length])) else {
            return nil
        }
        rewriter.setSSRC(ssrc)
        rewriter.setPayloadType(payloadType)
        rewriter.setSequenceNumber(sequence)
        return length
    }

    /// Turns the RTX packet in `packet[0..<length]` back into the original in place (§4):
    /// the OSN becomes the sequence number, `originalSSRC` and `originalPayloadType` replace the
    /// RTX ones, and the payload moves up over the OSN; padding is dropped. Returns the new
    /// length, or `nil` when the packet is not RTP or carries no OSN (a padding-only probe).
    public static func unwrap(
        _ packet: UnsafeMutableRawBufferPointer, length: Int, originalSSRC: UInt32, originalPayloadType: UInt8
    ) -> Int? {
        guard length <= packet.count,
            let view = try? RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: packet[0..<length])),
            view.payloadRange.count >= 2
        else { return nil }
        let header = view.headerLength
        let originalSequence = view.sequenceNumber(atPayloadOffset: 0)
        let payloadCount = view.payloadRange.count - 2
        if payloadCount > 0, let base = packet.baseAddress {
            (base + header).copyMemory(from: base + header + 2, byteCount: payloadCount)
        }
        packet[0] &= ~0x20
        let newLength = header + payloadCount
        guard let rewriter = try? RTPPacketRewriter(UnsafeMutableRawBufferPointer(rebasing: packet[0..<newLength]))
        else {
            return nil
        }
        rewriter.setSequenceNumber(originalSequence)
        rewriter.setSSRC(originalSSRC)
        rewriter.setPayloadType(originalPayloadType)
        return newLength
    }
}

extension RTPPacketView {
    /// The big-endian 16-bit value at `offset` into the payload; the caller checked the length.
    fileprivate func sequenceNumber(atPayloadOffset offset: Int) -> UInt16 {
        UInt16(bytes[payloadRange.lowerBound + offset]) << 8 | UInt16(bytes[payloadRange.lowerBound + offset + 1])
    }
}
