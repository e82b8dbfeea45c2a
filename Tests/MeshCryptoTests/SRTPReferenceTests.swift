import MeshCrypto
import Testing

/// RFC 3711 and RFC 7714 test vectors, and the project's SRTP API checked against them.
///
/// RFC 7714 §16–17 and RFC 3711 B.2 are printed for *session* keys, while libsrtp (and so
/// ``SRTPSender``) only accepts *master* keys and always runs the RFC 3711 §4.3 key derivation.
/// So the vectors first pin down ``SRTPReference`` (an independent model written from the RFC
/// text), and the API is then compared byte for byte with that model fed the session keys the
/// RFC 3711 B.3-checked derivation gives.
@Suite struct SRTPReferenceTests {
    // RFC 7714 §16.1.1 / §17.1: key and salt ("Quid pro quo").
    static let rfc7714Key = hex("000102030405060708090a0b0c0d0e0f")
    static let rfc7714Salt = hex("517569642070726f2071756f")

    /// RFC 7714 §16.1.1 plaintext RTP packet.
    static let rfc7714RTP = hex(
        """
        8040f17b 8041f8d3 5501a0b2
        47616c6c 69612065 7374206f 6d6e6973 20646976 69736120 696e2070 61727465 73207472 6573
        """)
    // 80        V=2, P=0, X=0, CC=0
    // 40        M=0, PT=64
    // f17b      sequence number
    // 8041f8d3  timestamp
    // 5501a0b2  SSRC
    // payload   "Gallia est omnis divisa in partes tres" (38 bytes)

    /// RFC 7714 §16.1.1 protected packet: header, 38 bytes of ciphertext, 16-byte tag.
    static let rfc7714SRTP = hex(
        """
        8040f17b 8041f8d3 5501a0b2
        f24de3a3 fb34de6c acba861c 9d7e4bca be633bd5 0d294e6f 42a5f47a 51c7d19b 36de3adf 8833
        899d7f27 beb16a91 52cf765e e4390cce
        """)

    /// RFC 7714 §17.1 plaintext RTCP sender report.
    static let rfc7714RTCP = hex(
        """
        81c8000d 4d617273
        4e545031 4e545032 52545020 0000042a 0000e930 4c756e61
        deadbeef deadbeef deadbeef deadbeef deadbeef
        """)
    // 81 c8 000d  V=2, P=0, RC=1, PT=200 (SR), length 13 words
    // 4d617273    SSRC "Mars"
    // then NTP "NTP1NTP2", RTP timestamp "RTP ", packet and octet counts, a report block
    // for SSRC "Luna" filled with deadbeef

    /// RFC 7714 §17.1 protected packet (SRTCP index 0x5d4): first 8 octets, 44 bytes of
    /// ciphertext, 16-byte tag, then E=1 ‖ index.
    static let rfc7714SRTCP = hex(
        """
        81c8000d 4d617273
        63e94885 dcdab67c a727d766 2f6b7e99 7ff5c0f7 6c06f32d c676a5f1 730d6fda 4ce09b46
        86303ded 0bb9275b
        c84aa458 96cf4d2f c5abf872 45d9eade
        800005d4
        """)

    @Test func referenceKeystreamMatchesRFC3711AppendixB2() {
        // RFC 3711 B.2: session key, and IV = session salt F0F1...FD · 2^16 (SSRC 0, index 0).
        let stream = SRTPReference.keystream(
            key: hex("2B7E151628AED2A6ABF7158809CF4F3C"), iv: hex("F0F1F2F3F4F5F6F7F8F9FAFBFCFD0000"), count: 48)
        #expect(
            stream
                == hex(
                    """
                    E03EAD0935C95E80E166B16DD92B4EB4
                    D23513162B02D0F72A43A2FE4A5F97AB
                    41E95B3BB0A2E8DD477901E4FCA894C0
                    """))
    }

    @Test func referenceDerivationMatchesRFC3711AppendixB3() {
        let key = SRTPKnownAnswerTests.rfc3711MasterKey
        let salt = SRTPKnownAnswerTests.rfc3711MasterSalt
        #expect(
            SRTPReference.derive(masterKey: key, masterSalt: salt, label: 0, count: 16)
                == hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(
            SRTPReference.derive(masterKey: key, masterSalt: salt, label: 2, count: 14)
                == hex("30CBBC08863D8C85D49DB34A9AE1"))
        #expect(
            SRTPReference.derive(masterKey: key, masterSalt: salt, label: 1, count: 20)
                == hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"))
    }

    @Test func referenceGCMMatchesRFC7714Section16() {
        #expect(
            SRTPReference.gcmProtectRTP(key: Self.rfc7714Key, salt: Self.rfc7714Salt, packet: Self.rfc7714RTP)
                == Self.rfc7714SRTP)
    }

    @Test func referenceGCMMatchesRFC7714Section17() {
        let protected = SRTPReference.gcmProtectRTCP(
            key: Self.rfc7714Key, salt: Self.rfc7714Salt, packet: Self.rfc7714RTCP, index: 0x5d4)
        #expect(protected == Self.rfc7714SRTCP)
    }

    /// The RFC 7714 key and salt used as a *master* key, so libsrtp derives session keys from them.
    static func gcmMasterKey() throws -> SRTPMasterKey {
        try SRTPMasterKey(profile: .aeadAES128GCM, key: rfc7714Key, salt: rfc7714Salt)
    }

    static func derived(_ label: UInt8, _ count: Int) -> [UInt8] {
        SRTPReference.derive(masterKey: rfc7714Key, masterSalt: rfc7714Salt, label: label, count: count)
    }

    @Test func gcmProtectRTPMatchesTheReference() throws {
        var sender = try SRTPSender(try Self.gcmMasterKey())
        let protected = try inBuffer(Self.rfc7714RTP) { try sender.protectRTP($0, length: $1) }
        // RFC 3711 §4.3.2 labels: 0x00 SRTP encryption key, 0x02 SRTP salt.
        let expected = SRTPReference.gcmProtectRTP(
            key: Self.derived(0, 16), salt: Self.derived(2, 12), packet: Self.rfc7714RTP)
        #expect(protected == expected)

        var receiver = try SRTPReceiver(try Self.gcmMasterKey())
        #expect(try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) } == Self.rfc7714RTP)
    }

    @Test func gcmProtectRTCPMatchesTheReference() throws {
        var sender = try SRTPSender(try Self.gcmMasterKey())
        let protected = try inBuffer(Self.rfc7714RTCP) { try sender.protectRTCP($0, length: $1) }
        let trailer = Array(protected.suffix(4))
        try #require(trailer.count == 4)
        #expect(trailer[0] & 0x80 == 0x80, "E flag set: the packet is encrypted (RFC 3711 §3.4)")
        let index =
            UInt32(trailer[0] & 0x7f) << 24 | UInt32(trailer[1]) << 16 | UInt32(trailer[2]) << 8 | UInt32(trailer[3])
        // RFC 3711 §4.3.2 labels: 0x03 SRTCP encryption key, 0x05 SRTCP salt.
        let expected = SRTPReference.gcmProtectRTCP(
            key: Self.derived(3, 16), salt: Self.derived(5, 12), packet: Self.rfc7714RTCP, index: index)
        #expect(protected == expected)

        var receiver = try SRTPReceiver(try Self.gcmMasterKey())
        #expect(try inBuffer(protected) { try receiver.unprotectRTCP($0, length: $1) } == Self.rfc7714RTCP)
    }

    @Test func aesCMProtectRTPMatchesTheReference() throws {
        let masterKey = try SRTPMasterKey(
            profile: .aesCM128HmacSHA1_80, key: SRTPKnownAnswerTests.rfc3711MasterKey,
            salt: SRTPKnownAnswerTests.rfc3711MasterSalt)
        var sender = try SRTPSender(masterKey)
        let protected = try inBuffer(Self.rfc7714RTP) { try sender.protectRTP($0, length: $1) }
        // Session keys are the RFC 3711 B.3 ones the previous test checked.
        let expected = try SRTPReference.aesCMProtectRTP(
            key: hex("C61E7A93744F39EE10734AFE3FF7A087"), salt: hex("30CBBC08863D8C85D49DB34A9AE1"),
            authKey: hex("CEBE321F6FF7716B6FD4AB49AF256A156D38BAA4"), packet: Self.rfc7714RTP)
        #expect(protected == expected)
    }
}
