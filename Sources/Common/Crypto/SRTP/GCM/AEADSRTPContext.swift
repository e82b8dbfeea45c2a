/// SRTP and SRTCP with `AEAD_AES_128_GCM` (RFC 7714), in place and without allocating per packet.
///
/// Set-up derives the four session keys and salts (RFC 3711 §4.3, labels 0x00/0x02 for SRTP
/// and 0x03/0x05 for SRTCP), keys one reusable GCM context per key, and preallocates the
/// per-SSRC state. Then each packet costs an IV computation, one GCM pass and a few table
/// look-ups. One worker owns each context.
final class AEADSRTPContext {
    private static let tagLength = AESGCMCipher.tagLength
    /// RFC 7714 §9: the E flag and 31-bit SRTCP index word that ends an SRTCP packet.
    private static let rtcpIndexLength = 4

    private let rtpCipher: AESGCMCipher
    private let rtcpCipher: AESGCMCipher
    /// Session salts (12 bytes each) and a 12-byte IV scratch area, in one block.
    private let scratch: UnsafeMutableRawPointer
    private var rtpSalt: UnsafeMutableRawPointer { scratch }
    private var rtcpSalt: UnsafeMutableRawPointer { scratch + 12 }
    private var iv: UnsafeMutableRawPointer { scratch + 24 }
    private let streams: SRTPStreamTable

    /// A context for `masterKey` (which must be `.aeadAES128GCM`), sealing when `sending`.
    ///
    /// `allowsRepeatedIndex` (senders only) lets an index be sealed again: the same IV under the
    /// same key, which is safe only for the byte-identical resend relay links make.
    /// `maximumSSRCs`: the most SSRCs the context takes (``SRTPStreamTable``).
    convenience init(
        _ masterKey: SRTPMasterKey, sending: Bool, replayWindow: Int, allowsRepeatedIndex: Bool = false,
        maximumSSRCs: Int = SRTPStreamTable.capacity
    ) throws(SRTPError) {
        guard masterKey.profile == .aeadAES128GCM else { throw .badParameter }
        func derive(_ label: SRTPKeyDerivation.Label, _ count: Int) throws(SRTPError) -> [UInt8] {
            try SRTPKeyDerivation.derive(
                masterKey: masterKey.key, masterSalt: masterKey.salt, label: label, count: count)
        }
        try self.init(
            rtpKey: try derive(.rtpEncryption, 16), rtpSalt: try derive(.rtpSalt, 12),
            rtcpKey: try derive(.rtcpEncryption, 16), rtcpSalt: try derive(.rtcpSalt, 12),
            sending: sending, replayWindow: replayWindow, allowsRepeatedIndex: allowsRepeatedIndex,
            maximumSSRCs: maximumSSRCs)
    }

    /// A context for already derived session keys (16 bytes) and salts (12 bytes), the form
    /// RFC 7714's §16–17 vectors are printed in.
    init(
        rtpKey: [UInt8], rtpSalt: [UInt8], rtcpKey: [UInt8], rtcpSalt: [UInt8], sending: Bool, replayWindow: Int,
        allowsRepeatedIndex: Bool = false, maximumSSRCs: Int = SRTPStreamTable.capacity
    ) throws(SRTPError) {
        guard rtpSalt.count == 12, rtcpSalt.count == 12, (64...0x7fff).contains(replayWindow) else {
            throw .badParameter
        }
        rtpCipher = try AESGCMCipher(key: rtpKey, encrypting: sending)
        rtcpCipher = try AESGCMCipher(key: rtcpKey, encrypting: sending)
        scratch = .allocate(byteCount: 36, alignment: 8)
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 36)
        scratch.copyMemory(from: rtpSalt, byteCount: 12)
        (scratch + 12).copyMemory(from: rtcpSalt, byteCount: 12)
        streams = SRTPStreamTable(
            replayWindow: replayWindow, allowsRepeatedIndex: sending && allowsRepeatedIndex, limit: maximumSSRCs)
    }

    deinit { scratch.deallocate() }

    func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        try streams.setRolloverCounter(rolloverCounter, forSSRC: ssrc)
    }

    // MARK: SRTP (RFC 7714 §8)

    /// Encrypts the payload of the RTP packet in `buffer[0..<length]`, appends the tag, and
    /// returns the new length. The caller checked there is room for the tag.
    func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let headerLength = try SRTPPacketBytes.rtpHeaderLength(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 8)
        let sequence = SRTPPacketBytes.loadUInt16(base, at: 2)
        let slot = try streams.slot(for: ssrc)
        let index = try streams.rtpIndex(sequence: sequence, slot: slot)
        // Recorded before sealing: an index is never used twice under one key (RFC 7714 §14.1).
        streams.accept(index, slot: slot, track: .rtp)
        setRTPIV(ssrc: ssrc, index: index)
        try rtpCipher.seal(
            iv: iv, aad: UnsafeRawBufferPointer(start: base, count: headerLength),
            secondAAD: .init(start: nil, count: 0),
            data: UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<length]), tag: base + length)
        return length + Self.tagLength
    }

    /// Authenticates and decrypts the SRTP packet in `buffer[0..<length]` and returns the RTP
    /// packet's length.
    func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let bodyEnd = length - Self.tagLength
        guard bodyEnd >= 12 else { throw .parseError }
        let headerLength = try SRTPPacketBytes.rtpHeaderLength(UnsafeRawBufferPointer(rebasing: buffer[0..<bodyEnd]))
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 8)
        let sequence = SRTPPacketBytes.loadUInt16(base, at: 2)
        // No slot is claimed before the tag verifies, so forged SSRCs cannot fill the table.
        let known = streams.lookup(ssrc)
        let index = try streams.rtpIndex(sequence: sequence, slot: known)
        setRTPIV(ssrc: ssrc, index: index)
        try rtpCipher.open(
            iv: iv, aad: UnsafeRawBufferPointer(start: base, count: headerLength),
            secondAAD: .init(start: nil, count: 0),
            data: UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<bodyEnd]), tag: base + bodyEnd)
        let slot = try streams.slot(for: ssrc, known: known)
        streams.accept(index, slot: slot, track: .rtp)
        return bodyEnd
    }

    // MARK: SRTCP (RFC 7714 §9)

    /// Encrypts the compound RTCP packet in `buffer[0..<length]` after its first 8 octets,
    /// appends the tag and the E ‖ SRTCP index word, and returns the new length.
    func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        guard length >= 8 else { throw .parseError }
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 4)
        let slot = try streams.slot(for: ssrc)
        let index = try streams.nextRTCPIndex(slot: slot)
        streams.accept(index, slot: slot, track: .rtcp)
        let trailer = base + length + Self.tagLength
        // E = 1: the packet is encrypted (RFC 3711 §3.4).
        SRTPPacketBytes.storeUInt32(0x8000_0000 | UInt32(truncatingIfNeeded: index), to: trailer)
        setRTCPIV(ssrc: ssrc, index: index)
        // §9.2: AAD = the first 8 octets ‖ E ‖ SRTCP index.
        try rtcpCipher.seal(
            iv: iv, aad: UnsafeRawBufferPointer(start: base, count: 8),
            secondAAD: UnsafeRawBufferPointer(start: trailer, count: Self.rtcpIndexLength),
            data: UnsafeMutableRawBufferPointer(rebasing: buffer[8..<length]), tag: base + length)
        return length + Self.tagLength + Self.rtcpIndexLength
    }

    /// Authenticates (and, with the E flag, decrypts) the SRTCP packet in `buffer[0..<length]`
    /// and returns the RTCP packet's length.
    func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let bodyEnd = length - Self.tagLength - Self.rtcpIndexLength
        guard bodyEnd >= 8 else { throw .parseError }
        let trailer = base + bodyEnd + Self.tagLength
        let word = SRTPPacketBytes.loadUInt32(trailer, at: 0)
        let encrypted = word & 0x8000_0000 != 0
        let index = Int64(word & 0x7FFF_FFFF)
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 4)
        let known = streams.lookup(ssrc)
        try streams.check(index, slot: known, track: .rtcp)
        setRTCPIV(ssrc: ssrc, index: index)
        // §9.2 with E = 1: AAD = first 8 octets ‖ E ‖ index; §9.3 with E = 0: the whole RTCP
        // packet is AAD and nothing is encrypted.
        let clearLength = encrypted ? 8 : bodyEnd
        try rtcpCipher.open(
            iv: iv, aad: UnsafeRawBufferPointer(start: base, count: clearLength),
            secondAAD: UnsafeRawBufferPointer(start: trailer, count: Self.rtcpIndexLength),
            data: UnsafeMutableRawBufferPointer(rebasing: buffer[clearLength..<bodyEnd]), tag: base + bodyEnd)
        let slot = try streams.slot(for: ssrc, known: known)
        streams.accept(index, slot: slot, track: .rtcp)
        return bodyEnd
    }

    // MARK: IVs and header bytes

    /// RFC 7714 §8.1: IV = (0x0000 ‖ SSRC ‖ ROC ‖ SEQ) XOR the SRTP salt.
    private func setRTPIV(ssrc: UInt32, index: Int64) {
        let rolloverCounter = UInt32(truncatingIfNeeded: index >> 16)
        let sequence = UInt16(truncatingIfNeeded: index)
        setIV(
            salt: rtpSalt, ssrc: ssrc, high: rolloverCounter >> 16,
            low: UInt32(rolloverCounter & 0xFFFF) << 16 | UInt32(sequence))
    }

    /// RFC 7714 §9.1: IV = (0x0000 ‖ SSRC ‖ 0x0000 ‖ 0 ‖ 31-bit SRTCP index) XOR the SRTCP salt.
    private func setRTCPIV(ssrc: UInt32, index: Int64) {
        setIV(salt: rtcpSalt, ssrc: ssrc, high: 0, low: UInt32(truncatingIfNeeded: index) & 0x7FFF_FFFF)
    }

    /// Writes (0x0000 ‖ ssrc ‖ high16 ‖ low32) XOR salt into the IV scratch; `high` holds 16 bits.
    private func setIV(salt: UnsafeMutableRawPointer, ssrc: UInt32, high: UInt32, low: UInt32) {
        SRTPPacketBytes.storeUInt32(ssrc >> 16, to: iv)  // 0x0000 ‖ SSRC's high half
        SRTPPacketBytes.storeUInt32((ssrc & 0xFFFF) << 16 | (high & 0xFFFF), to: iv + 4)
        SRTPPacketBytes.storeUInt32(low, to: iv + 8)
        for offset in 0..<AESGCMCipher.ivLength {
            let byte =
                iv.load(fromByteOffset: offset, as: UInt8.self) ^ salt.load(fromByteOffset: offset, as: UInt8.self)
            iv.storeBytes(of: byte, toByteOffset: offset, as: UInt8.self)
        }
    }
}
