/// SRTP and SRTCP with `AES_CM_128_HMAC_SHA1_80` (RFC 3711), in place and without allocating
/// per packet, byte for byte what libsrtp produces.
///
/// Set-up derives six session values (RFC 3711 §4.3: labels 0x00/0x01/0x02 for SRTP's
/// encryption key, authentication key and salt, 0x03/0x04/0x05 for SRTCP's), keys one AES-CTR
/// context and one HMAC-SHA1 key per direction of use, and preallocates the per-SSRC state.
/// Each packet then costs an IV, one counter-mode pass and one HMAC. One worker owns each context.
final class AESCMSRTPContext {
    /// RFC 3711 §3.4: the E flag and 31-bit SRTCP index word that precedes the SRTCP tag.
    private static let rtcpIndexLength = 4

    private let rtpCipher: AESCTRCipher
    private let rtcpCipher: AESCTRCipher
    private let rtpAuthenticator: HMACSHA1Authenticator
    private let rtcpAuthenticator: HMACSHA1Authenticator
    /// Session salts (14 bytes each, padded to 16), a 16-byte IV and a 4-byte ROC, in one block.
    private let scratch: UnsafeMutableRawPointer
    private var rtpSalt: UnsafeMutableRawPointer { scratch }
    private var rtcpSalt: UnsafeMutableRawPointer { scratch + 16 }
    private var iv: UnsafeMutableRawPointer { scratch + 32 }
    private var rolloverCounter: UnsafeMutableRawPointer { scratch + 48 }
    private let streams: SRTPStreamTable

    /// Bytes `protectRTP` appends (the RTP tag).
    var rtpTagLength: Int { rtpAuthenticator.tagLength }
    /// Bytes `protectRTCP` appends after the packet: index word and tag.
    var rtcpTrailerLength: Int { Self.rtcpIndexLength + rtcpAuthenticator.tagLength }

    /// A context for `masterKey` (which must be `.aesCM128HmacSHA1_80`), protecting when
    /// `sending`. `rtpTagLength` 4 gives `AES_CM_128_HMAC_SHA1_32` (RFC 5764 §4.1.2; SRTCP keeps
    /// its 80-bit tag there).
    ///
    /// `allowsRepeatedIndex` (senders only) lets an index be protected again: the same
    /// keystream, which is safe only for the byte-identical resend relay links make.
    /// `maximumSSRCs`: the most SSRCs the context takes (``SRTPStreamTable``).
    init(
        _ masterKey: SRTPMasterKey, sending: Bool, replayWindow: Int, allowsRepeatedIndex: Bool = false,
        rtpTagLength: Int = 10, maximumSSRCs: Int = SRTPStreamTable.capacity
    ) throws(SRTPError) {
        guard masterKey.profile == .aesCM128HmacSHA1_80, (64...0x7fff).contains(replayWindow) else {
            throw .badParameter
        }
        func derive(_ label: SRTPKeyDerivation.Label, _ count: Int) throws(SRTPError) -> [UInt8] {
            try SRTPKeyDerivation.derive(
                masterKey: masterKey.key, masterSalt: masterKey.salt, label: label, count: count)
        }
        rtpCipher = try AESCTRCipher(key: try derive(.rtpEncryption, 16))
        rtcpCipher = try AESCTRCipher(key: try derive(.rtcpEncryption, 16))
        rtpAuthenticator = try HMACSHA1Authenticator(key: try derive(.rtpAuthentication, 20), tagLength: rtpTagLength)
        rtcpAuthenticator = try HMACSHA1Authenticator(key: try derive(.rtcpAuthentication, 20), tagLength: 10)
        let rtpSalt = try derive(.rtpSalt, 14)
        let rtcpSalt = try derive(.rtcpSalt, 14)
        scratch = .allocate(byteCount: 52, alignment: 8)
        scratch.initializeMemory(as: UInt8.self, repeating: 0, count: 52)
        scratch.copyMemory(from: rtpSalt, byteCount: 14)
        (scratch + 16).copyMemory(from: rtcpSalt, byteCount: 14)
        streams = SRTPStreamTable(
            replayWindow: replayWindow, allowsRepeatedIndex: sending && allowsRepeatedIndex, limit: maximumSSRCs)
    }

    deinit { scratch.deallocate() }

    func setRolloverCounter(_ rolloverCounter: UInt32, forSSRC ssrc: UInt32) throws(SRTPError) {
        try streams.setRolloverCounter(rolloverCounter, forSSRC: ssrc)
    }

    // MARK: SRTP (RFC 3711 §3.1, §4.1.1, §4.2)

    /// Encrypts the payload of the RTP packet in `buffer[0..<length]`, appends the tag over
    /// header ‖ ciphertext ‖ ROC, and returns the new length. The caller checked the room.
    func protectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let headerLength = try SRTPPacketBytes.rtpHeaderLength(UnsafeRawBufferPointer(rebasing: buffer[0..<length]))
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 8)
        let sequence = SRTPPacketBytes.loadUInt16(base, at: 2)
        let slot = try streams.slot(for: ssrc)
        let index = try streams.rtpIndex(sequence: sequence, slot: slot)
        // Recorded before encrypting: one keystream never covers two packets (RFC 3711 §9.1).
        streams.accept(index, slot: slot, track: .rtp)
        setIV(salt: rtpSalt, ssrc: ssrc, index: index)
        try rtpCipher.apply(iv: iv, to: UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<length]))
        try rtpAuthenticator.sign(
            UnsafeRawBufferPointer(start: base, count: length), suffix: rolloverCounterBytes(index),
            tag: base + length)
        return length + rtpAuthenticator.tagLength
    }

    /// Authenticates, replay-checks and decrypts the SRTP packet in `buffer[0..<length]` and
    /// returns the RTP packet's length.
    func unprotectRTP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let bodyEnd = length - rtpAuthenticator.tagLength
        guard bodyEnd >= 12 else { throw .parseError }
        let headerLength = try SRTPPacketBytes.rtpHeaderLength(UnsafeRawBufferPointer(rebasing: buffer[0..<bodyEnd]))
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 8)
        let sequence = SRTPPacketBytes.loadUInt16(base, at: 2)
        // No slot is claimed before the tag verifies, so forged SSRCs cannot fill the table.
        let known = streams.lookup(ssrc)
        let index = try streams.rtpIndex(sequence: sequence, slot: known)
        // §3.3: the ROC guessed from the sequence number is what the tag covers.
        try rtpAuthenticator.verify(
            UnsafeRawBufferPointer(start: base, count: bodyEnd), suffix: rolloverCounterBytes(index),
            tag: base + bodyEnd)
        setIV(salt: rtpSalt, ssrc: ssrc, index: index)
        try rtpCipher.apply(iv: iv, to: UnsafeMutableRawBufferPointer(rebasing: buffer[headerLength..<bodyEnd]))
        let slot = try streams.slot(for: ssrc, known: known)
        streams.accept(index, slot: slot, track: .rtp)
        return bodyEnd
    }

    // MARK: SRTCP (RFC 3711 §3.4)

    /// Encrypts the compound RTCP packet in `buffer[0..<length]` after its first 8 octets,
    /// appends E ‖ SRTCP index and the tag over packet ‖ that word, and returns the new length.
    func protectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        guard length >= 8 else { throw .parseError }
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 4)
        let slot = try streams.slot(for: ssrc)
        let index = try streams.nextRTCPIndex(slot: slot)
        streams.accept(index, slot: slot, track: .rtcp)
        setIV(salt: rtcpSalt, ssrc: ssrc, index: index)
        try rtcpCipher.apply(iv: iv, to: UnsafeMutableRawBufferPointer(rebasing: buffer[8..<length]))
        // E = 1: the packet is encrypted.
        SRTPPacketBytes.storeUInt32(0x8000_0000 | UInt32(truncatingIfNeeded: index), to: base + length)
        let authenticated = length + Self.rtcpIndexLength
        try rtcpAuthenticator.sign(
            UnsafeRawBufferPointer(start: base, count: authenticated), suffix: .init(start: nil, count: 0),
            tag: base + authenticated)
        return authenticated + rtcpAuthenticator.tagLength
    }

    /// Authenticates, replay-checks and (with the E flag) decrypts the SRTCP packet in
    /// `buffer[0..<length]` and returns the RTCP packet's length.
    func unprotectRTCP(_ buffer: UnsafeMutableRawBufferPointer, length: Int) throws(SRTPError) -> Int {
        guard let base = buffer.baseAddress else { throw .badParameter }
        let authenticated = length - rtcpAuthenticator.tagLength
        let bodyEnd = authenticated - Self.rtcpIndexLength
        guard bodyEnd >= 8 else { throw .parseError }
        let word = SRTPPacketBytes.loadUInt32(base, at: bodyEnd)
        let index = Int64(word & 0x7FFF_FFFF)
        let ssrc = SRTPPacketBytes.loadUInt32(base, at: 4)
        let known = streams.lookup(ssrc)
        try streams.check(index, slot: known, track: .rtcp)
        try rtcpAuthenticator.verify(
            UnsafeRawBufferPointer(start: base, count: authenticated), suffix: .init(start: nil, count: 0),
            tag: base + authenticated)
        // E = 0: sent authenticated only (RFC 3711 §3.4), nothing to decrypt.
        if word & 0x8000_0000 != 0 {
            setIV(salt: rtcpSalt, ssrc: ssrc, index: index)
            try rtcpCipher.apply(iv: iv, to: UnsafeMutableRawBufferPointer(rebasing: buffer[8..<bodyEnd]))
        }
        let slot = try streams.slot(for: ssrc, known: known)
        streams.accept(index, slot: slot, track: .rtcp)
        return bodyEnd
    }

    // MARK: IVs

    /// RFC 3711 §4.1.1: IV = (salt · 2¹⁶) XOR (SSRC · 2⁶⁴) XOR (index · 2¹⁶), i.e. octets 4–7
    /// carry the SSRC and octets 8–13 the 48-bit index (SRTP's ROC ‖ SEQ, or SRTCP's index).
    private func setIV(salt: UnsafeMutableRawPointer, ssrc: UInt32, index: Int64) {
        SRTPPacketBytes.storeUInt32(0, to: iv)
        SRTPPacketBytes.storeUInt32(ssrc, to: iv + 4)
        SRTPPacketBytes.storeUInt32(UInt32(truncatingIfNeeded: index >> 16), to: iv + 8)
        SRTPPacketBytes.storeUInt32(UInt32(truncatingIfNeeded: index) << 16, to: iv + 12)
        for offset in stride(from: 0, to: AESCTRCipher.ivLength, by: 8) {
            let word =
                iv.load(fromByteOffset: offset, as: UInt64.self) ^ salt.load(fromByteOffset: offset, as: UInt64.self)
            iv.storeBytes(of: word, toByteOffset: offset, as: UInt64.self)
        }
    }

    /// RFC 3711 §4.2: the 32-bit ROC appended (for the MAC only) to the authenticated portion.
    private func rolloverCounterBytes(_ index: Int64) -> UnsafeRawBufferPointer {
        SRTPPacketBytes.storeUInt32(UInt32(truncatingIfNeeded: index >> 16), to: rolloverCounter)
        return UnsafeRawBufferPointer(start: rolloverCounter, count: 4)
    }
}
