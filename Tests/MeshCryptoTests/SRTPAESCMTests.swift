import Testing

@testable import MeshCrypto

/// The built-in AES_CM_128_HMAC_SHA1_80 transform (RFC 3711 over OpenSSL): the Appendix B
/// vectors through its own pieces, and byte-for-byte agreement with libsrtp2, which the same
/// ``SRTPSender`` / ``SRTPReceiver`` API drives with ``SRTPImplementation/libsrtp``.
@Suite struct SRTPAESCMTests {
    static let masterKey = try! SRTPRoundTripTests.masterKey(.aesCM128HmacSHA1_80)

    // MARK: RFC 3711 Appendix B

    @Test func keystreamMatchesRFC3711AppendixB2() throws {
        // B.2: session key 2B7E…, IV = session salt F0F1…FD · 2^16 (SSRC 0, index 0); the first
        // three keystream blocks, i.e. the counter-mode encryption of 48 zero octets.
        let cipher = try AESCTRCipher(key: hex("2B7E151628AED2A6ABF7158809CF4F3C"))
        let iv = hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000")
        var data = [UInt8](repeating: 0, count: 48)
        try iv.withUnsafeBytes { iv in
            try data.withUnsafeMutableBytes { try cipher.apply(iv: iv.baseAddress!, to: $0) }
        }
        #expect(
            data
                == hex(
                    """
                    E03EAD0935C95E80E166B16DD92B4EB4
                    D23513162B02D0F72A43A2FE4A5F97AB
                    41E95B3BB0A2E8DD477901E4FCA894C0
                    """))
    }

    @Test func derivationMatchesRFC3711AppendixB3() throws {
        let key = SRTPKnownAnswerTests.rfc3711MasterKey
        let salt = SRTPKnownAnswerTests.rfc3711MasterSalt
        func derive(_ label: SRTPKeyDerivation.Label, _ count: Int) throws -> [UInt8] {
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: label, count: count)
        }
        #expect(try derive(.rtpEncryption, 16) == hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(try derive(.rtpSalt, 14) == hex("30CBBC08863D8C85D49DB34A9AE1"))
        // B.3 prints 256 bits of the authentication key's keystream; SRTP keeps the first 160.
        #expect(try derive(.rtpAuthentication, 20) == hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
    }

    @Test func hmacMatchesRFC2202TestCase2() throws {
        // RFC 2202 §3 test case 2 ("Jefe"), padded to SRTP's 20-byte key: the shim's pad states
        // must give the standard HMAC, whatever the key length.
        let authenticator = try HMACSHA1Authenticator(
            key: Array("Jefe".utf8) + [UInt8](repeating: 0, count: 16), tagLength: 20)
        let message = Array("what do ya want for nothing?".utf8)
        var tag = [UInt8](repeating: 0, count: 20)
        try message.withUnsafeBytes { message in
            try tag.withUnsafeMutableBytes { tag in
                try authenticator.sign(message, suffix: .init(start: nil, count: 0), tag: tag.baseAddress!)
            }
        }
        // Zero-padding a key shorter than the block does not change HMAC (RFC 2104 §2).
        #expect(tag == hex("effcdf6ae5eb2fa2d27416d5f184df9c259a7c79"))
    }

    // MARK: byte-for-byte against libsrtp2

    /// Random RTP packets for a few SSRCs: 0–15 CSRCs, an RFC 8285 extension block of 0–8
    /// words on about half, 0–1400 payload octets, sequence numbers advancing by 1–3000 so they
    /// wrap several times (ROC 5 → 6 → …).
    static func randomRTP(count: Int, generator: inout SplitMix64) -> [[UInt8]] {
        let ssrcs: [UInt32] = [0x1122_3344, 0xCAFE_BABE, 0x0000_0001]
        var sequences: [UInt16] = ssrcs.map { _ in UInt16(truncatingIfNeeded: generator.next()) }
        return (0..<count).map { _ in
            let stream = Int(generator.next() % UInt64(ssrcs.count))
            sequences[stream] &+= UInt16(1 + generator.next() % 3000)
            let csrcs = Int(generator.next() % 16)
            let extensionWords = generator.next() % 2 == 0 ? Int(generator.next() % 9) : nil
            let extensionBit: UInt8 = extensionWords == nil ? 0 : 0x10
            var packet: [UInt8] = [0x80 | extensionBit | UInt8(csrcs), 0x60]
            packet += bigEndian16(sequences[stream])
            packet += SRTPReference.bigEndian(UInt32(truncatingIfNeeded: generator.next()))
            packet += SRTPReference.bigEndian(ssrcs[stream])
            packet += generator.bytes(csrcs * 4)
            if let extensionWords {
                packet += [0xBE, 0xDE] + bigEndian16(UInt16(extensionWords))
                packet += generator.bytes(extensionWords * 4)
            }
            return packet + generator.bytes(Int(generator.next() % 1401))
        }
    }

    @Test func rtpMatchesLibsrtpByteForByteBothWays() throws {
        var generator = SplitMix64(seed: 3711)
        let packets = Self.randomRTP(count: 600, generator: &generator)
        var ours = try SRTPSender(Self.masterKey)
        var theirs = try SRTPSender(Self.masterKey, implementation: .libsrtp)
        var ourReceiver = try SRTPReceiver(Self.masterKey)
        var theirReceiver = try SRTPReceiver(Self.masterKey, implementation: .libsrtp)
        // Streams joined after their sequence numbers wrapped five times (ROC > 0 from the start).
        for ssrc: UInt32 in [0x1122_3344, 0xCAFE_BABE, 0x0000_0001] {
            try ours.setRolloverCounter(5, forSSRC: ssrc)
            try theirs.setRolloverCounter(5, forSSRC: ssrc)
            try ourReceiver.setRolloverCounter(5, forSSRC: ssrc)
            try theirReceiver.setRolloverCounter(5, forSSRC: ssrc)
        }
        for plain in packets {
            let mine = try inBuffer(plain) { try ours.protectRTP($0, length: $1) }
            let reference = try inBuffer(plain) { try theirs.protectRTP($0, length: $1) }
            #expect(mine == reference)
            #expect(try inBuffer(reference) { try ourReceiver.unprotectRTP($0, length: $1) } == plain)
            #expect(try inBuffer(mine) { try theirReceiver.unprotectRTP($0, length: $1) } == plain)
        }
    }

    @Test func rtcpMatchesLibsrtpByteForByteBothWays() throws {
        var generator = SplitMix64(seed: 3550)
        var ours = try SRTPSender(Self.masterKey)
        var theirs = try SRTPSender(Self.masterKey, implementation: .libsrtp)
        var ourReceiver = try SRTPReceiver(Self.masterKey)
        var theirReceiver = try SRTPReceiver(Self.masterKey, implementation: .libsrtp)
        for _ in 0..<300 {
            // A receiver report header (RFC 3550 §6.4.2) then 0–300 random words; SRTCP does not
            // parse past the first 8 octets.
            let words = Int(generator.next() % 301)
            let ssrcs: [UInt32] = [0x1122_3344, 0xCAFE_BABE]
            let plain: [UInt8] =
                [0x81, 0xC9] + bigEndian16(UInt16(words + 1))
                + SRTPReference.bigEndian(ssrcs[Int(generator.next() % 2)])
                + generator.bytes(words * 4)
            let mine = try inBuffer(plain) { try ours.protectRTCP($0, length: $1) }
            let reference = try inBuffer(plain) { try theirs.protectRTCP($0, length: $1) }
            #expect(mine == reference)
            #expect(try inBuffer(reference) { try ourReceiver.unprotectRTCP($0, length: $1) } == plain)
            #expect(try inBuffer(mine) { try theirReceiver.unprotectRTCP($0, length: $1) } == plain)
        }
    }

    // MARK: rejection

    @Test func everyFlippedBitIsRejected() throws {
        var sender = try SRTPSender(Self.masterKey)
        let plain = SRTPRoundTripTests.rtpPacket(sequence: 7, payload: 24)
        let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
        for position in protected.indices {
            var tampered = protected
            tampered[position] ^= 0x01
            var receiver = try SRTPReceiver(Self.masterKey)
            #expect(throws: SRTPError.self) { _ = try inBuffer(tampered) { try receiver.unprotectRTP($0, length: $1) } }
        }
        let report = SRTPRoundTripTests.rtcpReceiverReport
        let protectedReport = try inBuffer(report) { try sender.protectRTCP($0, length: $1) }
        for position in protectedReport.indices {
            var tampered = protectedReport
            tampered[position] ^= 0x80
            var receiver = try SRTPReceiver(Self.masterKey)
            #expect(throws: SRTPError.self) {
                _ = try inBuffer(tampered) { try receiver.unprotectRTCP($0, length: $1) }
            }
        }
    }

    @Test func replaysAreRejectedAsLibsrtpRejectsThem() throws {
        var sender = try SRTPSender(Self.masterKey, implementation: .libsrtp)
        var receiver = try SRTPReceiver(Self.masterKey, replayWindow: 64)
        let late = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 11)) { try sender.protectRTP($0, length: $1) }
        let old = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 10)) { try sender.protectRTP($0, length: $1) }
        let new = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 74)) { try sender.protectRTP($0, length: $1) }
        _ = try inBuffer(new) { try receiver.unprotectRTP($0, length: $1) }
        _ = try inBuffer(late) { try receiver.unprotectRTP($0, length: $1) }  // 63 behind: inside
        #expect(throws: SRTPError.replayFail) { _ = try inBuffer(late) { try receiver.unprotectRTP($0, length: $1) } }
        #expect(throws: SRTPError.replayOld) { _ = try inBuffer(old) { try receiver.unprotectRTP($0, length: $1) } }
        let report = try inBuffer(SRTPRoundTripTests.rtcpReceiverReport) { try sender.protectRTCP($0, length: $1) }
        _ = try inBuffer(report) { try receiver.unprotectRTCP($0, length: $1) }
        #expect(throws: SRTPError.replayFail) {
            _ = try inBuffer(report) { try receiver.unprotectRTCP($0, length: $1) }
        }
    }

    @Test func unencryptedSRTCPIsAcceptedButStillAuthenticated() throws {
        // RFC 3711 §3.4: E = 0 means the sender did not encrypt; the tag covers it all the same.
        // Made here by hand: the tag over packet ‖ (E = 0 ‖ index 1) with the SRTCP auth key.
        let context = try AESCMSRTPContext(Self.masterKey, sending: false, replayWindow: 64)
        let report = SRTPRoundTripTests.rtcpReceiverReport
        let authKey = try SRTPKeyDerivation.derive(
            masterKey: Self.masterKey.key, masterSalt: Self.masterKey.salt, label: .rtcpAuthentication, count: 20)
        let authenticated = report + [0, 0, 0, 1]
        let tag = Array(try Digest.hmac(.sha1, key: authKey, message: authenticated).prefix(10))
        #expect(try inBuffer(authenticated + tag) { try context.unprotectRTCP($0, length: $1) } == report)
        var forged = authenticated + tag
        forged[5] ^= 0x01
        let fresh = try AESCMSRTPContext(Self.masterKey, sending: false, replayWindow: 64)
        #expect(throws: SRTPError.authFail) { _ = try inBuffer(forged) { try fresh.unprotectRTCP($0, length: $1) } }
    }

    @Test func truncatedPacketsAreParseErrors() throws {
        var receiver = try SRTPReceiver(Self.masterKey)
        let short = SRTPRoundTripTests.rtpPacket(sequence: 1, payload: 9)  // 21 bytes: header + 9 < 12 + 10
        #expect(throws: SRTPError.parseError) { _ = try inBuffer(short) { try receiver.unprotectRTP($0, length: $1) } }
        #expect(throws: SRTPError.parseError) {
            _ = try inBuffer(Array(repeating: 0x80, count: 21)) { try receiver.unprotectRTCP($0, length: $1) }
        }
    }
}

/// SplitMix64 (Steele, Lea and Flood 2014): a seeded generator, so a failing packet can be
/// reproduced from the seed.
struct SplitMix64: RandomNumberGenerator {
    private var state: UInt64
    init(seed: UInt64) { state = seed }
    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
    mutating func bytes(_ count: Int) -> [UInt8] { (0..<count).map { _ in UInt8(truncatingIfNeeded: next()) } }
}

/// A 16-bit field in network order.
private func bigEndian16(_ value: UInt16) -> [UInt8] { [UInt8(value >> 8), UInt8(value & 0xff)] }
