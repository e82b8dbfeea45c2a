import MeshCrypto
import MeshTestSupport
import Testing

/// Protect then unprotect through separate sender and receiver contexts, for both profiles.
@Suite struct SRTPRoundTripTests {
    static func masterKey(_ profile: SRTPProfile) throws -> SRTPMasterKey {
        try SRTPMasterKey(
            profile: profile,
            key: (0..<UInt8(profile.masterKeyLength)).map { $0 &* 7 &+ 1 },
            salt: (0..<UInt8(profile.masterSaltLength)).map { $0 &* 13 &+ 5 })
    }

    /// An RTP packet: V=2, PT=96, the given sequence number, timestamp 0x00001000,
    /// SSRC 0x11223344, then `payload` bytes counting up.
    static func rtpPacket(sequence: UInt16, payload: Int = 100) -> [UInt8] {
        TestPacket.rtp(
            sequence: sequence, timestamp: 0x1000, ssrc: 0x1122_3344,
            payload: (0..<payload).map { UInt8(truncatingIfNeeded: $0) })
    }

    /// An RTCP receiver report with no report blocks (RFC 3550 §6.4.2):
    /// 80 c9 0001 = V=2, P=0, RC=0, PT=201 (RR), length 1 word; SSRC 0x11223344.
    static let rtcpReceiverReport = TestPacket.emptyReceiverReport(ssrc: 0x1122_3344)

    @Test(arguments: SRTPProfile.allCases)
    func rtpRoundTrip(profile: SRTPProfile) throws {
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        for sequence in UInt16(1)...3 {
            let plain = Self.rtpPacket(sequence: sequence)
            let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
            #expect(protected.count == plain.count + profile.rtpTrailerLength)
            #expect(protected[0..<12] == plain[0..<12])
            #expect(protected[12..<plain.count] != plain[12...])
            let recovered = try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) }
            #expect(recovered == plain)
        }
    }

    @Test(arguments: SRTPProfile.allCases)
    func rtcpRoundTrip(profile: SRTPProfile) throws {
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        let protected = try inBuffer(Self.rtcpReceiverReport) { try sender.protectRTCP($0, length: $1) }
        #expect(protected.count == Self.rtcpReceiverReport.count + profile.rtcpTrailerLength)
        let recovered = try inBuffer(protected) { try receiver.unprotectRTCP($0, length: $1) }
        #expect(recovered == Self.rtcpReceiverReport)
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperedRTPFailsAuthentication(profile: SRTPProfile) throws {
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        var protected = try inBuffer(Self.rtpPacket(sequence: 7)) { try sender.protectRTP($0, length: $1) }
        protected[20] ^= 0x01
        #expect(throws: SRTPError.authFail) {
            _ = try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) }
        }
    }

    @Test(arguments: SRTPProfile.allCases)
    func tamperedRTCPFailsAuthentication(profile: SRTPProfile) throws {
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        var protected = try inBuffer(Self.rtcpReceiverReport) { try sender.protectRTCP($0, length: $1) }
        protected[5] ^= 0x80
        #expect(throws: SRTPError.authFail) {
            _ = try inBuffer(protected) { try receiver.unprotectRTCP($0, length: $1) }
        }
    }

    @Test(arguments: SRTPProfile.allCases)
    func replayedRTPIsRejected(profile: SRTPProfile) throws {
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        var receiver = try SRTPReceiver(key)
        let protected = try inBuffer(Self.rtpPacket(sequence: 42)) { try sender.protectRTP($0, length: $1) }
        _ = try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) }
        #expect(throws: SRTPError.replayFail) {
            _ = try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) }
        }
    }

    @Test(arguments: SRTPProfile.allCases)
    func rolloverCounterIsPartOfThePacketIndex(profile: SRTPProfile) throws {
        // RFC 3711 §3.3.1: index = ROC · 2^16 + SEQ; a receiver that assumes ROC 0 computes
        // another index, so the tag (AES-CM: HMAC over ROC; GCM: ROC in the IV) cannot verify.
        let key = try Self.masterKey(profile)
        var sender = try SRTPSender(key)
        try sender.setRolloverCounter(1, forSSRC: 0x1122_3344)
        let plain = Self.rtpPacket(sequence: 5)
        let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }

        var unaware = try SRTPReceiver(key)
        #expect(throws: SRTPError.authFail) {
            _ = try inBuffer(protected) { try unaware.unprotectRTP($0, length: $1) }
        }
        var aware = try SRTPReceiver(key)
        try aware.setRolloverCounter(1, forSSRC: 0x1122_3344)
        #expect(try inBuffer(protected) { try aware.unprotectRTP($0, length: $1) } == plain)
    }

    @Test func errorsReadAsTheirLibsrtpNames() {
        #expect(SRTPError.authFail.description.contains("srtp_err_status_auth_fail"))
        #expect(SRTPError.replayFail.description.contains("srtp_err_status_replay_fail"))
    }
}
