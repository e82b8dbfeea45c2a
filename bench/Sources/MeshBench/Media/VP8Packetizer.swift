import MeshWire

/// Splits VP8 frames into RTP packets (RFC 7741 §4): every packet carries a 4-byte payload
/// descriptor (§4.2) with X=1, I=1 and a 15-bit PictureID (M=1); S=1 and PID=0 on a frame's
/// first packet (§4.4: the frame is one partition as far as we say); the marker bit on its
/// last (§4.1). Fragments carry at most ``maximumFragment`` bytes of frame, in equal shares.
/// Writes into the caller's buffer; allocation-free.
struct VP8Packetizer {
    /// Largest share of a frame per packet: keeps packets under a 1200-byte path MTU with
    /// header, extensions and the SRTP tag.
    static let maximumFragment = 1100
    /// The descriptor: X/S/PID byte, I/L/T/K byte, and M=1 with a 15-bit PictureID.
    static let descriptorSize = 4
    /// 90 kHz RTP clock (RFC 7741 §4.1).
    static let clockRate: UInt32 = 90_000

    /// The PictureID of the next frame (15 bits, wraps).
    private(set) var pictureID: UInt16

    init(firstPictureID: UInt16 = 0) {
        pictureID = firstPictureID & 0x7FFF
    }

    /// How many packets a frame of `length` bytes takes.
    static func packetCount(frameLength: Int) -> Int {
        max(1, (frameLength + maximumFragment - 1) / maximumFragment)
    }

    /// Writes each packet of `frame` into `buffer` in turn, calling `emit` with the packet's
    /// length and sequence number after each (the packet is `buffer[0..<length]` until the
    /// next one is written).
    mutating func packetize(
        frame: UnsafeRawBufferPointer, timestamp: UInt32, captureNTP: UInt64, header: inout RTPStreamHeader,
        buffer: UnsafeMutableRawBufferPointer, emit: (_ length: Int, _ sequence: UInt16) -> Void
    ) throws(ByteWriter.Overflow) {
        let count = Self.packetCount(frameLength: frame.count)
        let share = frame.count / count
        let extra = frame.count % count
        var offset = 0
        for index in 0..<count {
            let length = share + (index < extra ? 1 : 0)
            var writer = ByteWriter(buffer)
            let sequence = header.nextSequence
            try header.write(timestamp: timestamp, marker: index == count - 1, captureNTP: captureNTP, into: &writer)
            try writer.write(UInt8(0x80 | (index == 0 ? 0x10 : 0)))  // X=1, N=0, S, PID=0
            try writer.write(UInt8(0x80))  // I=1, L=0, T=0, K=0
            try writer.write(0x8000 | pictureID)  // M=1, 15-bit PictureID
            try writer.write(bytes: UnsafeRawBufferPointer(rebasing: frame[offset..<(offset + length)]))
            offset += length
            emit(writer.offset, sequence)
        }
        pictureID = (pictureID &+ 1) & 0x7FFF
    }
}
