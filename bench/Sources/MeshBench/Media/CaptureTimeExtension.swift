import MeshWire

/// The abs-capture-time RTP header extension
/// (http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time): a UQ32.32 NTP timestamp
/// of when the media was captured, optionally followed by an 8-byte clock offset. Publishers
/// write the short form on every packet; viewers read it to measure end-to-end latency.
enum CaptureTimeExtension {
    /// The extension's URI, as `a=extmap` names it.
    static let uri = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
    /// The short form's value size: the 64-bit NTP timestamp alone.
    static let valueSize = 8
    /// The element's size in the one-byte form: header byte plus value (RFC 8285 §4.2).
    static let elementSize = 1 + valueSize

    /// Writes one one-byte-form element (RFC 8285 §4.2: ID, then length − 1 = 7) holding `ntp`.
    static func write(ntp: UInt64, id: UInt8, into writer: inout ByteWriter) throws(ByteWriter.Overflow) {
        try writer.write(id << 4 | UInt8(valueSize - 1))
        try writer.write(ntp)
    }

    /// The capture NTP timestamp in `packet`'s element `id`; `nil` when absent or when the
    /// value is neither 8 nor 16 bytes long.
    static func read(from packet: RTPPacketView, id: UInt8) -> UInt64? {
        guard let element = packet.headerExtension?.element(id: id),
            element.value.count == valueSize || element.value.count == 16
        else { return nil }
        var value: UInt64 = 0
        for byte in element.value.prefix(valueSize) { value = value << 8 | UInt64(byte) }
        return value
    }
}
