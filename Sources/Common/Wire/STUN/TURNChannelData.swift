/// A TURN ChannelData frame (RFC 8656 §12.4): a channel number, a length, and the
/// application data, with no STUN header. Parsed over borrowed bytes without allocating.
public struct TURNChannelData {
    /// Size of the channel number and length fields.
    public static let headerSize = 4

    /// The channel number, in 0x4000...0x4FFF.
    public let channelNumber: UInt16
    /// The application data, borrowed from the frame.
    public let payload: UnsafeRawBufferPointer

    /// Parses the frame at the start of `bytes`. Over UDP the datagram may carry padding
    /// after the data, which is ignored; over TCP use ``framedLength(of:)`` to cut frames.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(STUNError) {
        var reader = ByteReader(bytes)
        guard let number = reader.readUInt16(), let length = reader.readUInt16() else { throw .channelDataTruncated }
        guard TURNConstants.channelNumbers.contains(number) else { throw .channelNumberOutOfRange(number) }
        guard let payload = reader.readBytes(Int(length)) else { throw .channelDataTruncated }
        channelNumber = number
        self.payload = payload
    }

    /// The bytes a frame occupies on a stream transport, where it is padded to a multiple of 4
    /// (RFC 8656 §12.5); `nil` until the 4-byte header has arrived.
    public static func framedLength(of bytes: UnsafeRawBufferPointer) -> Int? {
        var reader = ByteReader(bytes)
        guard reader.skip(2), let length = reader.readUInt16() else { return nil }
        return headerSize + STUNAttribute.paddedLength(Int(length))
    }

    /// Writes a frame for `payload` on `channelNumber`; with `padToFourBytes` (required over
    /// TCP and TLS) zero bytes follow up to a multiple of 4.
    public static func write(
        channelNumber: UInt16, payload: UnsafeRawBufferPointer, padToFourBytes: Bool, into writer: inout ByteWriter
    ) throws {
        guard TURNConstants.channelNumbers.contains(channelNumber) else {
            throw STUNError.channelNumberOutOfRange(channelNumber)
        }
        guard payload.count <= Int(UInt16.max) else {
            throw ByteWriter.Overflow(needed: payload.count, available: Int(UInt16.max))
        }
        let padding = padToFourBytes ? STUNAttribute.paddedLength(payload.count) - payload.count : 0
        let needed = headerSize + payload.count + padding
        guard writer.remaining >= needed else { throw ByteWriter.Overflow(needed: needed, available: writer.remaining) }
        try writer.write(channelNumber)
        try writer.write(UInt16(payload.count))
        try writer.write(bytes: payload)
        try writer.writeZeros(padding)
    }
}
