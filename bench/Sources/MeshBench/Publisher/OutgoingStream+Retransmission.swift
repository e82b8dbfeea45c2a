import MeshRTC
import MeshWire

extension OutgoingStream {
    /// Writes the RTX packet (RFC 4588 §4) that resends `sequence`: the stored original is
    /// copied into `scratch`, then written into `buffer` on the RTX stream with the original
    /// sequence number (OSN) before the payload, the same timestamp and marker, and the
    /// original capture time. Returns the length; `nil` when the packet is no longer kept or
    /// the stream has no RTX. Allocation-free.
    func writeRetransmission(
        of sequence: UInt16, scratch: UnsafeMutableRawBufferPointer, into buffer: UnsafeMutableRawBufferPointer
    ) -> Int? {
        guard var rtx = retransmission, let stored = history.load(sequence: sequence, into: scratch),
            let original = try? RTPPacketView(parsing: UnsafeRawBufferPointer(rebasing: scratch[..<stored.length]))
        else { return nil }
        let captureNTP =
            header.extensions.captureTime.flatMap { CaptureTimeExtension.read(from: original, id: $0) } ?? 0
        var writer = ByteWriter(buffer)
        do {
            try rtx.write(timestamp: original.timestamp, marker: original.marker, captureNTP: captureNTP, into: &writer)
            try writer.write(original.sequenceNumber)
            try writer.write(bytes: original.payload)
        } catch {
            return nil
        }
        retransmission = rtx
        packetsResent &+= 1
        return writer.offset
    }
}
