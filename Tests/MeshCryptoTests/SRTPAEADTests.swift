import Testing

@testable import MeshCrypto

/// Meshcast's own AEAD_AES_128_GCM transform (RFC 7714): the RFC's packet vectors byte for
/// byte, interop both ways with libsrtp2's GCM, and its per-SSRC index and replay state.
@Suite struct SRTPAEADTests {
    typealias Vectors = SRTPReferenceTests

    /// A context keyed directly with RFC 7714's session key and salt (§16.1.1, §17.1 print the
    /// vectors for session keys, so the master-key derivation is bypassed here).
    static func rfcContext(sending: Bool) throws -> AEADSRTPContext {
        try AEADSRTPContext(
            rtpKey: Vectors.rfc7714Key, rtpSalt: Vectors.rfc7714Salt, rtcpKey: Vectors.rfc7714Key,
            rtcpSalt: Vectors.rfc7714Salt, sending: sending, replayWindow: 1024)
    }

    @Test func protectRTPGivesRFC7714Section16Packet() throws {
        let context = try Self.rfcContext(sending: true)
        #expect(try inBuffer(Vectors.rfc7714RTP) { try context.protectRTP($0, length: $1) } == Vectors.rfc7714SRTP)
    }

    @Test func unprotectRTPRecoversRFC7714Section16Packet() throws {
        let context = try Self.rfcContext(sending: false)
        #expect(try inBuffer(Vectors.rfc7714SRTP) { try context.unprotectRTP($0, length: $1) } == Vectors.rfc7714RTP)
    }

    @Test func protectRTCPGivesRFC7714Section17Packet() throws {
        // The vector's SRTCP index is 0x5d4 and a sender numbers its packets 1, 2, …: spend
        // indices 1...0x5d3 on the same SSRC first.
        let context = try Self.rfcContext(sending: true)
        for _ in 1..<0x5d4 { _ = try inBuffer(Vectors.rfc7714RTCP) { try context.protectRTCP($0, length: $1) } }
        #expect(try inBuffer(Vectors.rfc7714RTCP) { try context.protectRTCP($0, length: $1) } == Vectors.rfc7714SRTCP)
    }

    @Test func unprotectRTCPRecoversRFC7714Section17Packet() throws {
        let context = try Self.rfcContext(sending: false)
        #expect(
            try inBuffer(Vectors.rfc7714SRTCP) { try context.unprotectRTCP($0, length: $1) } == Vectors.rfc7714RTCP)
    }

    @Test func sessionKeysFollowRFC3711Derivation() throws {
        // RFC 3711 B.3's master key and salt with the AES-CM labels the reference model checked.
        let key = SRTPKnownAnswerTests.rfc3711MasterKey
        let salt = SRTPKnownAnswerTests.rfc3711MasterSalt
        #expect(
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: .rtpEncryption, count: 16)
                == hex("C61E7A93744F39EE10734AFE3FF7A087"))
        #expect(
            try SRTPKeyDerivation.derive(masterKey: key, masterSalt: salt, label: .rtpSalt, count: 14)
                == hex("30CBBC08863D8C85D49DB34A9AE1"))
        // SRTCP labels against the independent model, with RFC 7714 §11's 96-bit salt.
        for label in [SRTPKeyDerivation.Label.rtcpEncryption, .rtcpSalt] {
            #expect(
                try SRTPKeyDerivation.derive(
                    masterKey: Vectors.rfc7714Key, masterSalt: Vectors.rfc7714Salt, label: label, count: 16)
                    == SRTPReference.derive(
                        masterKey: Vectors.rfc7714Key, masterSalt: Vectors.rfc7714Salt, label: label.rawValue, count: 16
                    ))
        }
    }

    // MARK: interop with libsrtp2

    static let masterKey = try! SRTPRoundTripTests.masterKey(.aeadAES128GCM)

    /// RTP packets around a sequence-number wrap, some with a CSRC and a header extension so
    /// the AAD is more than the fixed header (RFC 7714 §8.2).
    static func wrappingPackets() -> [[UInt8]] {
        let sequences = Array(UInt16(65530)...65535) + Array(UInt16(0)...5)
        return sequences.map { sequence in
            let plain = SRTPRoundTripTests.rtpPacket(sequence: sequence, payload: 40 + Int(sequence % 7))
            guard sequence % 2 == 1 else { return plain }
            // 91: V=2, X=1, CC=1; CSRC 0xA1B2C3D4; extension 0xBEDE, 1 word: ID 1 L=0 0x55, padding.
            return [0x91] + plain[1..<12] + [0xA1, 0xB2, 0xC3, 0xD4, 0xBE, 0xDE, 0x00, 0x01, 0x10, 0x55, 0x00, 0x00]
                + plain[12...]
        }
    }

    @Test func libsrtpUnprotectsOurRTPAcrossRolloverWrap() throws {
        var sender = try SRTPSender(Self.masterKey)
        let peer = try LibsrtpGCMPeer(Self.masterKey, sending: false)
        for plain in Self.wrappingPackets() {
            let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
            #expect(try peer.unprotectRTP(protected) == plain)
        }
    }

    @Test func weUnprotectLibsrtpRTPAcrossRolloverWrap() throws {
        let peer = try LibsrtpGCMPeer(Self.masterKey, sending: true)
        var receiver = try SRTPReceiver(Self.masterKey)
        var protected = try Self.wrappingPackets().map { try peer.protectRTP($0) }
        // Deliver 65535 after 0 and 1: the estimate must still pick ROC 0 for it (RFC 3711 §3.3.1).
        protected.swapAt(5, 7)
        var expected = Self.wrappingPackets()
        expected.swapAt(5, 7)
        for (packet, plain) in zip(protected, expected) {
            #expect(try inBuffer(packet) { try receiver.unprotectRTP($0, length: $1) } == plain)
        }
    }

    @Test func rtcpInteroperatesBothWays() throws {
        var sender = try SRTPSender(Self.masterKey)
        var receiver = try SRTPReceiver(Self.masterKey)
        let peerReceiver = try LibsrtpGCMPeer(Self.masterKey, sending: false)
        let peerSender = try LibsrtpGCMPeer(Self.masterKey, sending: true)
        let report = SRTPRoundTripTests.rtcpReceiverReport
        for _ in 0..<3 {
            let ours = try inBuffer(report) { try sender.protectRTCP($0, length: $1) }
            #expect(try peerReceiver.unprotectRTCP(ours) == report)
            let theirs = try peerSender.protectRTCP(report)
            #expect(try inBuffer(theirs) { try receiver.unprotectRTCP($0, length: $1) } == report)
        }
    }

    @Test func unencryptedSRTCPFromLibsrtpIsAuthenticatedWhole() throws {
        // RFC 7714 §9.3: E = 0, the whole RTCP packet is AAD and travels in the clear.
        let peer = try LibsrtpGCMPeer(Self.masterKey, sending: true, encryptRTCP: false)
        var receiver = try SRTPReceiver(Self.masterKey)
        let report = SRTPRoundTripTests.rtcpReceiverReport
        var packet = try peer.protectRTCP(report)
        #expect(packet.suffix(4).first.map { $0 & 0x80 } == 0, "libsrtp sent E = 0")
        #expect(try inBuffer(packet) { try receiver.unprotectRTCP($0, length: $1) } == report)
        packet[2] ^= 0x01  // a clear byte is still authenticated
        var fresh = try SRTPReceiver(Self.masterKey)
        #expect(throws: SRTPError.authFail) { _ = try inBuffer(packet) { try fresh.unprotectRTCP($0, length: $1) } }
    }

    @Test func rolloverCounterSetBeforeTheFirstPacketIsUsed() throws {
        // Both ends told ROC 3 before the first packet (a stream joined after it wrapped).
        var sender = try SRTPSender(Self.masterKey)
        try sender.setRolloverCounter(3, forSSRC: 0x1122_3344)
        var receiver = try SRTPReceiver(Self.masterKey)
        try receiver.setRolloverCounter(3, forSSRC: 0x1122_3344)
        let plain = SRTPRoundTripTests.rtpPacket(sequence: 9)
        let protected = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
        #expect(try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) } == plain)
        // The IV holds the ROC (RFC 7714 §8.1): a receiver assuming ROC 0 must fail.
        var unaware = try SRTPReceiver(Self.masterKey)
        #expect(throws: SRTPError.authFail) { _ = try inBuffer(protected) { try unaware.unprotectRTP($0, length: $1) } }
    }

    // MARK: replay window and stream table

    @Test func packetOlderThanTheWindowIsReplayOld() throws {
        var sender = try SRTPSender(Self.masterKey)
        var receiver = try SRTPReceiver(Self.masterKey, replayWindow: 64)
        let old = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 10)) { try sender.protectRTP($0, length: $1) }
        let new = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 74)) { try sender.protectRTP($0, length: $1) }
        _ = try inBuffer(new) { try receiver.unprotectRTP($0, length: $1) }
        #expect(throws: SRTPError.replayOld) { _ = try inBuffer(old) { try receiver.unprotectRTP($0, length: $1) } }
    }

    @Test func lateButInWindowPacketIsAcceptedOnce() throws {
        var sender = try SRTPSender(Self.masterKey)
        var receiver = try SRTPReceiver(Self.masterKey, replayWindow: 64)
        let late = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 11)) { try sender.protectRTP($0, length: $1) }
        let new = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 74)) { try sender.protectRTP($0, length: $1) }
        _ = try inBuffer(new) { try receiver.unprotectRTP($0, length: $1) }
        _ = try inBuffer(late) { try receiver.unprotectRTP($0, length: $1) }  // 63 behind: inside
        #expect(throws: SRTPError.replayFail) { _ = try inBuffer(late) { try receiver.unprotectRTP($0, length: $1) } }
    }

    @Test func replayedRTCPIsRejected() throws {
        var sender = try SRTPSender(Self.masterKey)
        var receiver = try SRTPReceiver(Self.masterKey)
        let packet = try inBuffer(SRTPRoundTripTests.rtcpReceiverReport) { try sender.protectRTCP($0, length: $1) }
        _ = try inBuffer(packet) { try receiver.unprotectRTCP($0, length: $1) }
        #expect(throws: SRTPError.replayFail) {
            _ = try inBuffer(packet) { try receiver.unprotectRTCP($0, length: $1) }
        }
    }

    @Test func senderRefusesToReuseAnIndex() throws {
        // Same index, same key, same IV: GCM must never seal twice under it (RFC 7714 §14.1).
        var sender = try SRTPSender(Self.masterKey)
        let plain = SRTPRoundTripTests.rtpPacket(sequence: 3)
        _ = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
        #expect(throws: SRTPError.replayFail) { _ = try inBuffer(plain) { try sender.protectRTP($0, length: $1) } }
    }

    @Test func streamBeyondTheTableCapacityIsAnError() throws {
        var sender = try SRTPSender(Self.masterKey)
        for ssrc in UInt32(1)...UInt32(SRTPStreamTable.capacity) {
            var plain = SRTPRoundTripTests.rtpPacket(sequence: 1)
            plain.replaceSubrange(8..<12, with: SRTPReference.bigEndian(ssrc))
            _ = try inBuffer(plain) { try sender.protectRTP($0, length: $1) }
        }
        var extra = SRTPRoundTripTests.rtpPacket(sequence: 1)
        extra.replaceSubrange(8..<12, with: SRTPReference.bigEndian(0xFFFF_0000))
        #expect(throws: SRTPError.tooManyStreams(limit: SRTPStreamTable.capacity)) {
            _ = try inBuffer(extra) { try sender.protectRTP($0, length: $1) }
        }
    }

    @Test func aRaisedLimitTakesMoreSSRCsAndStopsThere() throws {
        // A relay link's context (issue 14): more SSRCs than a session's 64, still bounded.
        var sender = try SRTPSender(Self.masterKey, maximumSSRCs: 300)
        var receiver = try SRTPReceiver(Self.masterKey, maximumSSRCs: 300)
        for ssrc in UInt32(1)...300 {
            var plain = SRTPRoundTripTests.rtpPacket(sequence: 7)
            plain.replaceSubrange(8..<12, with: SRTPReference.bigEndian(ssrc))
            let opened = try inBuffer(plain) { buffer, length in
                let sealed = try sender.protectRTP(buffer, length: length)
                return try receiver.unprotectRTP(buffer, length: sealed)
            }
            #expect(opened == plain)
        }
        var extra = SRTPRoundTripTests.rtpPacket(sequence: 7)
        extra.replaceSubrange(8..<12, with: SRTPReference.bigEndian(0xFFFF_0000))
        #expect(throws: SRTPError.tooManyStreams(limit: 300)) {
            _ = try inBuffer(extra) { try sender.protectRTP($0, length: $1) }
        }
    }

    @Test func forgedPacketsDoNotClaimStreamSlots() throws {
        // A receiver only records an SSRC once its tag verified.
        var receiver = try SRTPReceiver(Self.masterKey)
        for ssrc in UInt32(1)...UInt32(SRTPStreamTable.capacity + 1) {
            var forged = SRTPRoundTripTests.rtpPacket(sequence: 1) + [UInt8](repeating: 0, count: 16)
            forged.replaceSubrange(8..<12, with: SRTPReference.bigEndian(ssrc))
            #expect(throws: SRTPError.authFail) {
                _ = try inBuffer(forged) { try receiver.unprotectRTP($0, length: $1) }
            }
        }
        var sender = try SRTPSender(Self.masterKey)
        let genuine = try inBuffer(SRTPRoundTripTests.rtpPacket(sequence: 1)) { try sender.protectRTP($0, length: $1) }
        #expect(
            try inBuffer(genuine) { try receiver.unprotectRTP($0, length: $1) }
                == SRTPRoundTripTests.rtpPacket(sequence: 1))
    }

    @Test func truncatedPacketsAreParseErrors() throws {
        var receiver = try SRTPReceiver(Self.masterKey)
        // 12-byte header plus 15 bytes: one short of a tag after the header.
        let short = Array(SRTPRoundTripTests.rtpPacket(sequence: 1, payload: 15))
        #expect(throws: SRTPError.parseError) { _ = try inBuffer(short) { try receiver.unprotectRTP($0, length: $1) } }
        // CC=15 claims 60 bytes of CSRCs that are not there.
        var csrcs = SRTPRoundTripTests.rtpPacket(sequence: 1, payload: 20)
        csrcs[0] = 0x8F
        #expect(throws: SRTPError.parseError) { _ = try inBuffer(csrcs) { try receiver.unprotectRTP($0, length: $1) } }
    }
}
