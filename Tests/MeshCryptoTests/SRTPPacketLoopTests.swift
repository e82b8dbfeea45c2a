import MeshCrypto
import Testing

/// A long protect/unprotect loop in one reused buffer, as a worker runs it. Besides checking
/// every packet comes back, it is the loop `heaptrack` is pointed at to count allocations per
/// packet (see the Crypto README): nothing inside the loop allocates on the test's side.
@Suite struct SRTPPacketLoopTests {
    static let packets = 20_000

    @Test(arguments: SRTPProfile.allCases)
    func packetsRoundTripAcrossSequenceWrap(profile: SRTPProfile) throws {
        let key = try SRTPRoundTripTests.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        let buffer = UnsafeMutableRawBufferPointer.allocate(byteCount: 1500, alignment: 16)
        defer { buffer.deallocate() }
        var mismatches = 0
        // Start 5536 packets before the wrap: the loop crosses 65535 → 0 (ROC 0 → 1).
        var sequence: UInt16 = 60_000
        for _ in 0..<Self.packets {
            // 80 60 SEQ 00001000 11223344, then 1188 payload bytes equal to the low SEQ byte.
            buffer.storeBytes(of: UInt32(0x8060_0000 | UInt32(sequence)).bigEndian, toByteOffset: 0, as: UInt32.self)
            buffer.storeBytes(of: UInt32(0x0000_1000).bigEndian, toByteOffset: 4, as: UInt32.self)
            buffer.storeBytes(of: UInt32(0x1122_3344).bigEndian, toByteOffset: 8, as: UInt32.self)
            let fill = UInt8(truncatingIfNeeded: sequence)
            UnsafeMutableRawBufferPointer(rebasing: buffer[12..<1200]).initializeMemory(as: UInt8.self, repeating: fill)
            let protected = try sender.protectRTP(buffer, length: 1200)
            let plain = try receiver.unprotectRTP(buffer, length: protected)
            if plain != 1200 || buffer[12] != fill || buffer[1199] != fill { mismatches += 1 }
            sequence &+= 1
        }
        #expect(mismatches == 0)
    }
}
