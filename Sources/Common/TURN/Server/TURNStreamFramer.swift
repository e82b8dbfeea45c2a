import MeshWire

/// Cuts a TURN byte stream (TCP or TLS between client and server) into messages: a STUN
/// message is its header's length plus 20 bytes (RFC 8489 §6.2.2); ChannelData is 4 bytes plus
/// its length padded to a multiple of 4 (RFC 8656 §12.5). The two are told apart by the first
/// two bits (RFC 8656 §12).
public enum TURNStreamFramer {
    /// Why a stream cannot be framed; the connection must be closed.
    public enum Failure: Error, Equatable, Sendable {
        /// The first two bits are neither 0b00 (STUN) nor 0b01 (ChannelData).
        case notTURN
    }

    /// The length of the frame at the start of `bytes` including any ChannelData padding, or
    /// `nil` when its header has not fully arrived.
    public static func frameLength(of bytes: UnsafeRawBufferPointer) throws(Failure) -> Int? {
        guard let first = bytes.first else { return nil }
        switch first >> 6 {
        case 0b00: return bytes.count >= 4 ? STUNMessage.framedLength(of: bytes) : nil
        case 0b01: return TURNChannelData.framedLength(of: bytes)
        default: throw .notTURN
        }
    }

    /// The bytes of the frame at the start of `bytes` to hand to
    /// ``TURNServer/receive(_:from:transport:now:into:)``: the STUN message, or the ChannelData
    /// header and data without its padding. `nil` until the whole frame has arrived.
    public static func frame(in bytes: UnsafeRawBufferPointer) throws(Failure) -> (
        frame: UnsafeRawBufferPointer, consumed: Int
    )? {
        guard let length = try frameLength(of: bytes), bytes.count >= length else { return nil }
        // The header has arrived (frameLength said so), so bytes 2 and 3 exist.
        let isChannelData = bytes[0] >> 6 == 0b01
        let unpadded = isChannelData ? TURNChannelData.headerSize + (Int(bytes[2]) << 8 | Int(bytes[3])) : length
        return (UnsafeRawBufferPointer(rebasing: bytes[0..<unpadded]), length)
    }
}
