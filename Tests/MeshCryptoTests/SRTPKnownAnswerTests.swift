import MeshCrypto
import Testing

/// Known-answer packets pushed through the project's own SRTP API.
@Suite struct SRTPKnownAnswerTests {
    /// The master key and salt of RFC 3711 Appendix B.3, which libsrtp's test driver also uses
    /// as `test_key`.
    static let rfc3711MasterKey = hex("E1F97A0D3E018BE0D64FA32C06DE4139")
    static let rfc3711MasterSalt = hex("0EC675AD498AFEEBB6960B3AABE6")

    /// libsrtp's reference packet (`srtp_validate()` in test/srtp_driver.c of cisco/libsrtp),
    /// made with the default AES_CM_128_HMAC_SHA1_80 policy and the RFC 3711 B.3 master key.
    static let libsrtpPlain = hex(
        """
        800f1234 decafbad cafebabe
        abababab abababab abababab abababab
        """)
    // 80        V=2, P=0, X=0, CC=0
    // 0f        M=0, PT=15
    // 1234      sequence number 0x1234
    // decafbad  timestamp
    // cafebabe  SSRC
    // ab * 16   payload
    static let libsrtpProtected = hex(
        """
        800f1234 decafbad cafebabe
        4e55dc4c e79978d8 8ca4d215 949d2402
        b78d6acc 99ea179b 8dbb
        """)
    // header unchanged, 16 bytes of AES-CM ciphertext, 10-byte HMAC-SHA1-80 tag

    @Test func aesCMProtectGivesLibsrtpReferencePacket() throws {
        let key = try SRTPMasterKey(
            profile: .aesCM128HmacSHA1_80, key: Self.rfc3711MasterKey, salt: Self.rfc3711MasterSalt)
        var sender = try SRTPSender(key)
        let protected = try inBuffer(Self.libsrtpPlain) { try sender.protectRTP($0, length: $1) }
        #expect(protected == Self.libsrtpProtected)

        var receiver = try SRTPReceiver(key)
        let plain = try inBuffer(Self.libsrtpProtected) { try receiver.unprotectRTP($0, length: $1) }
        #expect(plain == Self.libsrtpPlain)
    }

    @Test func protectRefusesBufferWithoutRoomForTrailer() throws {
        let key = try SRTPMasterKey(
            profile: .aesCM128HmacSHA1_80, key: Self.rfc3711MasterKey, salt: Self.rfc3711MasterSalt)
        var sender = try SRTPSender(key)
        #expect(throws: SRTPError.bufferTooSmall(capacity: 37, required: 38)) {
            _ = try inBuffer(Self.libsrtpPlain, room: 9) { try sender.protectRTP($0, length: $1) }
        }
    }

    @Test func masterKeyLengthsFollowTheProfile() {
        #expect(throws: SRTPError.wrongKeyLength(expected: 12, actual: 14)) {
            _ = try SRTPMasterKey(profile: .aeadAES128GCM, key: Self.rfc3711MasterKey, salt: Self.rfc3711MasterSalt)
        }
    }
}
