/// RTP and RTCP packets written byte by byte (RFC 3550), for tests that feed packets in. They do
/// not go through MeshWire's serializers, so a test of anything those feed does not check the
/// code against itself.
public enum TestPacket {
    /// An RTP packet (RFC 3550 §5.1): V=2, P=0, CC=0; X=1 when `extensions` holds an RFC 8285
    /// one-byte extension block (already padded to whole 32-bit words), written after `0xBEDE`
    /// and its length in words.
    public static func rtp(
        sequence: UInt16, timestamp: UInt32, ssrc: UInt32, payloadType: UInt8 = 96, marker: Bool = false,
        extensions: [UInt8] = [], payload: [UInt8]
    ) -> [UInt8] {
        var bytes: [UInt8] = [extensions.isEmpty ? 0x80 : 0x90, (marker ? 0x80 : 0) | payloadType]
        bytes += bigEndian(sequence) + bigEndian(timestamp) + bigEndian(ssrc)
        if !extensions.isEmpty {
            bytes += [0xBE, 0xDE] + bigEndian(UInt16(extensions.count / 4)) + extensions
        }
        return bytes + payload
    }

    /// A receiver report with no report blocks (RFC 3550 §6.4.2): `80 c9 0001` (V=2, P=0,
    /// RC=0, PT=201, length 1 word), then the sender's SSRC.
    public static func emptyReceiverReport(ssrc: UInt32) -> [UInt8] {
        [0x80, 0xC9, 0x00, 0x01] + bigEndian(ssrc)
    }

    private static func bigEndian<T: FixedWidthInteger>(_ value: T) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian, Array.init)
    }
}
