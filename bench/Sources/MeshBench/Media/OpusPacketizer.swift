import MeshWire

/// One Opus packet per RTP packet (RFC 7587 §4.2), 48 kHz clock; the marker bit stays clear
/// (no DTX here, so no talkspurt starts). Writes into the caller's buffer; allocation-free.
enum OpusPacketizer {
    /// The RTP clock (RFC 7587 §4.1): always 48 kHz.
    static let clockRate: UInt32 = 48_000
    /// Timestamp step per 20 ms packet.
    static let samplesPerPacket: UInt32 = 960

    /// Writes the packet for `opus` into `buffer`; returns its length.
    static func packetize(
        _ opus: UnsafeRawBufferPointer, timestamp: UInt32, captureNTP: UInt64, header: inout RTPStreamHeader,
        buffer: UnsafeMutableRawBufferPointer
    ) throws(ByteWriter.Overflow) -> Int {
        var writer = ByteWriter(buffer)
        try header.write(timestamp: timestamp, marker: false, captureNTP: captureNTP, into: &writer)
        try writer.write(bytes: opus)
        return writer.offset
    }
}
