import MeshTURN
import MeshTestSupport
import MeshWire
import Testing

/// RFC 8656 §12.5 over a byte stream: STUN messages (RFC 5769 §2.1's request, 108 bytes) and
/// ChannelData padded to 4 bytes, cut at every possible read boundary, several in one read,
/// and a stream that is neither.
@Suite struct TURNStreamReassemblerTests {
    /// Channel 0x4001, 5 bytes of data, 3 of padding.
    static let paddedChannelData: [UInt8] = [0x40, 0x01, 0x00, 0x05, 1, 2, 3, 4, 5, 0, 0, 0]
    /// Channel 0x4FFF with no data: a bare 4-byte header.
    static let emptyChannelData: [UInt8] = [0x4F, 0xFF, 0x00, 0x00]
    /// Channel 0x4002, 8 bytes of data: already a multiple of 4, no padding.
    static let alignedChannelData: [UInt8] = [0x40, 0x02, 0x00, 0x08, 9, 8, 7, 6, 5, 4, 3, 2]

    /// The stream the tests cut: STUN, padded ChannelData, empty ChannelData, aligned
    /// ChannelData, STUN again.
    static let stream =
        rfc5769Request + paddedChannelData + emptyChannelData + alignedChannelData + rfc5769Request
    /// The frames it holds, as the server must receive them (ChannelData without padding).
    static let frames: [[UInt8]] = [
        rfc5769Request, Array(paddedChannelData[..<9]), emptyChannelData, alignedChannelData, rfc5769Request,
    ]

    /// Feeds `reads` in order; the frames delivered, or the failure.
    static func reassemble(_ reads: [[UInt8]]) -> Result<[[UInt8]], TURNStreamFramer.Failure> {
        var reassembler = TURNStreamReassembler()
        var frames: [[UInt8]] = []
        for read in reads {
            let outcome = read.withUnsafeBytes { raw in
                Result { () throws(TURNStreamFramer.Failure) in
                    try reassembler.feed(raw) { frames.append(Array($0)) }
                }
            }
            if case let .failure(error) = outcome { return .failure(error) }
        }
        return .success(frames)
    }

    /// All frames in one read come out in order, the padding stripped from ChannelData.
    @Test func severalFramesInOneRead() throws {
        #expect(try Self.reassemble([Self.stream]).get() == Self.frames)
    }

    /// The stream cut in two at every offset gives the same frames: partial headers (fewer
    /// than 4 bytes), partial bodies and a cut inside the padding.
    @Test func everyTwoWaySplit() throws {
        for cut in 0...Self.stream.count {
            let reads = [Array(Self.stream[..<cut]), Array(Self.stream[cut...])]
            #expect(try Self.reassemble(reads).get() == Self.frames, "cut at \(cut)")
        }
    }

    /// One byte per read: every frame is assembled from its pieces.
    @Test func oneBytePerRead() throws {
        #expect(try Self.reassemble(Self.stream.map { [$0] }).get() == Self.frames)
    }

    /// A frame waits for its padding: ChannelData is delivered only once its last padding byte
    /// arrived, since the next frame starts after it.
    @Test func channelDataWaitsForItsPadding() throws {
        var reassembler = TURNStreamReassembler()
        var delivered = 0
        func feed(_ bytes: [UInt8]) throws {
            try bytes.withUnsafeBytes { raw in
                Result { () throws(TURNStreamFramer.Failure) in
                    try reassembler.feed(raw) { _ in delivered += 1 }
                }
            }.get()
        }
        try feed(Array(Self.paddedChannelData[..<11]))
        #expect(delivered == 0)
        #expect(reassembler.pendingByteCount == 11)
        try feed([0])
        #expect(delivered == 1)
        #expect(reassembler.pendingByteCount == 0)
    }

    /// First bits 0b10 or 0b11 (RFC 8656 §12: neither STUN nor ChannelData) fail, at the start
    /// of a stream, after a frame in the same read, and after a frame completed across reads.
    @Test func notTURNFails() {
        #expect(Self.reassemble([[0x80]]) == .failure(.notTURN))
        #expect(Self.reassemble([Self.emptyChannelData + [0xC0, 0, 0, 0]]) == .failure(.notTURN))
        #expect(
            Self.reassemble([Array(Self.paddedChannelData[..<6]), Array(Self.paddedChannelData[6...]) + [0xFF]])
                == .failure(.notTURN))
    }
}
