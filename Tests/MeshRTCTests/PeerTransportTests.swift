import MeshCrypto
import MeshRuntime
import MeshTestSupport
import Testing

@testable import MeshRTC

/// An RTP packet (RFC 3550 §5.1): PT=96, timestamp 1000 and a 4-byte payload.
private func rtpPacket(ssrc: UInt32, sequence: UInt16) -> [UInt8] {
    TestPacket.rtp(sequence: sequence, timestamp: 1000, ssrc: ssrc, payload: [0xde, 0xad, 0xbe, 0xef])
}

/// An empty receiver report (RFC 3550 §6.4.2).
private func receiverReport(ssrc: UInt32) -> [UInt8] {
    TestPacket.emptyReceiverReport(ssrc: ssrc)
}

private let second: UInt64 = 1_000_000_000

@Suite struct PeerTransportTests {
    /// ICE (RFC 8445), DTLS-SRTP (RFC 5764) and SRTP both ways, for each profile and each
    /// assignment of DTLS roles (RFC 8842 §5).
    @Test(arguments: SRTPProfile.allCases, [DTLSRole.client, .server])
    func connectsAndExchangesMediaBothWays(profile: SRTPProfile, clientDTLSRole: DTLSRole) throws {
        let peers = try PeerTransportPair(profile: profile, clientDTLSRole: clientDTLSRole)
        peers.connect()
        #expect(peers.server.isConnected && peers.client.isConnected)
        #expect(peers.server.srtpProfile == profile && peers.client.srtpProfile == profile)
        #expect(peers.server.remoteAddress == peers.clientAddress)
        #expect(peers.client.remoteAddress == peers.serverAddress)
        #expect(peers.serverInbound.first == .binding(nominated: true, addressChanged: true))
        #expect(peers.clientInbound.first == .binding(nominated: true, addressChanged: true))
        #expect(peers.serverInbound.contains(.connected) && peers.clientInbound.contains(.connected))

        for (sender, ssrc) in [(peers.client, UInt32(0x1111_1111)), (peers.server, 0x2222_2222)] {
            let rtp = rtpPacket(ssrc: ssrc, sequence: 7)
            let srtp = try #require(peers.protect(rtp, on: sender, rtcp: false))
            #expect(srtp.count == rtp.count + profile.rtpTrailerLength)
            #expect(srtp[12...] != rtp[12...])  // the payload is encrypted
            let (outcome, plain) = peers.receive(srtp, sentBy: sender)
            #expect(outcome == .rtp(length: rtp.count))
            #expect(plain == rtp)

            let rtcp = receiverReport(ssrc: ssrc)
            let srtcp = try #require(peers.protect(rtcp, on: sender, rtcp: true))
            #expect(srtcp.count == rtcp.count + profile.rtcpTrailerLength)
            let (rtcpOutcome, rtcpPlain) = peers.receive(srtcp, sentBy: sender)
            #expect(rtcpOutcome == .rtcp(length: rtcp.count))
            #expect(rtcpPlain == rtcp)
        }
    }

    /// RFC 3711 §3.3.2: the same SRTP packet twice is a replay.
    @Test func replayedSRTPIsDropped() throws {
        let peers = try PeerTransportPair(profile: .aesCM128HmacSHA1_80)
        peers.connect()
        let srtp = try #require(peers.protect(rtpPacket(ssrc: 5, sequence: 1), on: peers.client, rtcp: false))
        #expect(peers.receive(srtp, sentBy: peers.client).0 == .rtp(length: 16))
        #expect(peers.receive(srtp, sentBy: peers.client).0 == .dropped(.srtpReplay))
        var tampered = try #require(peers.protect(rtpPacket(ssrc: 5, sequence: 2), on: peers.client, rtcp: false))
        tampered[13] ^= 0x01
        #expect(peers.receive(tampered, sentBy: peers.client).0 == .dropped(.srtpAuth))
    }

    /// RFC 7983 §7: what no WebRTC protocol claims, or what fails its own checks, is dropped
    /// with a reason; media before the handshake and DTLS from strangers too.
    @Test func garbageIsDroppedWithAReason() throws {
        let peers = try PeerTransportPair(profile: .aeadAES128GCM)
        let stranger = try loopback(60000)
        func drop(_ bytes: [UInt8], from: SocketAddress) -> PeerInbound {
            var buffer = bytes + [0, 0, 0, 0]
            return buffer.withUnsafeMutableBytes {
                peers.server.handleDatagram(
                    $0, length: bytes.count, from: from, now: 0,
                    send: { _, _ in
                        Issue.record("nothing should be sent")
                    })
            }
        }
        #expect(drop([], from: stranger) == .dropped(.notDemuxable))
        #expect(drop([0xff, 0x00, 0x01], from: stranger) == .dropped(.notDemuxable))  // 192..255: unassigned
        #expect(drop([0x41, 0x00, 0x00, 0x00], from: stranger) == .dropped(.notDemuxable))  // TURN channel 0x4100
        #expect(drop([0x00, 0x01, 0x00, 0x00, 0x21, 0x12], from: stranger) == .dropped(.notSTUN))  // truncated header
        #expect(drop([0x16, 0xfe, 0xfd, 0x00], from: stranger) == .dropped(.unknownAddress))  // DTLS, no ICE yet
        #expect(drop(rtpPacket(ssrc: 1, sequence: 1), from: stranger) == .dropped(.notConnected))
        #expect(drop(receiverReport(ssrc: 1), from: stranger) == .dropped(.notConnected))
        var buffer = [UInt8](repeating: 0, count: 4)
        let overlong = buffer.withUnsafeMutableBytes {
            peers.server.handleDatagram($0, length: 5, from: stranger, now: 0, send: { _, _ in })
        }
        #expect(overlong == .dropped(.malformed))
        #expect(PeerDropReason.allCases.map(\.name).count == Set(PeerDropReason.allCases.map(\.name)).count)
    }

    /// A forged check reaches the server through the transport: 401 goes back, the drop is
    /// reported as bad integrity, and the sender gains nothing.
    @Test func forgedCheckIsAnswered401() throws {
        let peers = try PeerTransportPair(profile: .aeadAES128GCM)
        let agent = try #require(peers.server.agent)
        let forger = ICEControllingClient(
            local: try #require(agent.remoteCredentials),
            remote: ICECredentials(ufrag: agent.localCredentials.ufrag, password: "wrong-password-of-22+ch"))
        var sent: [[UInt8]] = []
        var request = try bindingRequest(forger)
        let outcome = request.withUnsafeMutableBytes {
            peers.server.handleDatagram($0, length: $0.count, from: peers.clientAddress, now: 0) { bytes, _ in
                sent.append(Array(bytes))
            }
        }
        #expect(outcome == .dropped(.badIntegrity))
        #expect(sent.count == 1)
        #expect(try withSTUN(sent[0]) { try $0.errorCode?.code } == 401)
        #expect(agent.counters.rejected == 1 && peers.server.remoteAddress == nil)
    }

    /// RFC 7675 §5.1: with no valid check for 30 s (fake time) the server reports expiry;
    /// checks reset the clock. A session never checked expires 30 s after creation.
    @Test func consentExpiresAfterThirtySecondsOfSilence() throws {
        let peers = try PeerTransportPair(profile: .aeadAES128GCM)
        peers.connect(now: 1 * second)
        let quiet: PeerTransport.Send = { _, _ in }
        #expect(peers.server.poll(now: 20 * second, send: quiet) != .consentExpired)
        // The client's consent check at 25 s renews it.
        _ = peers.client.poll(now: 25 * second, send: peers.sender(from: peers.clientAddress))
        peers.pump(now: 25 * second)
        #expect(peers.server.poll(now: 50 * second, send: quiet) != .consentExpired)
        #expect(peers.server.poll(now: 55 * second, send: quiet) == .consentExpired)

        let idle = try PeerTransportPair(profile: .aeadAES128GCM)
        #expect(idle.server.poll(now: 100 * second, send: quiet) == .wait(until: 130 * second))
        #expect(idle.server.poll(now: 129 * second, send: quiet) != .consentExpired)
        #expect(idle.server.poll(now: 130 * second, send: quiet) == .consentExpired)
    }

    /// The client roams to a new address: its nominating check from there moves the server's
    /// remote address, and media follows.
    @Test func roamingMovesTheRemoteAddress() throws {
        let peers = try PeerTransportPair(profile: .aesCM128HmacSHA1_80)
        peers.connect()
        peers.clientAddress = try loopback(50001)
        _ = peers.client.poll(now: 6 * second, send: peers.sender(from: peers.clientAddress))
        peers.pump(now: 6 * second)
        #expect(peers.serverInbound.last == .binding(nominated: true, addressChanged: true))
        #expect(peers.server.remoteAddress == peers.clientAddress)
        let srtp = try #require(peers.protect(rtpPacket(ssrc: 9, sequence: 1), on: peers.client, rtcp: false))
        #expect(peers.receive(srtp, sentBy: peers.client).0 == .rtp(length: 16))
    }

    /// close() sends close_notify; the peer then reports its session failed, and neither side
    /// protects media any more.
    @Test func closeSendsCloseNotify() throws {
        let peers = try PeerTransportPair(profile: .aeadAES128GCM)
        peers.connect()
        peers.client.close(send: peers.sender(from: peers.clientAddress))
        #expect(!peers.client.isConnected)
        #expect(peers.client.poll(now: 1, send: { _, _ in }) == .closed)
        #expect(peers.inFlight.count == 1)
        peers.pump(now: 1)
        #expect(peers.server.poll(now: 1, send: { _, _ in }) == .failed)
        #expect(peers.protect(rtpPacket(ssrc: 1, sequence: 1), on: peers.client, rtcp: false) == nil)
    }

    /// Once the client's first SRTP packet authenticates, a server that releases its DTLS
    /// state (viewer sessions do, `releasesDTLSStateWhenKeyed`) frees libssl's state (issue 12:
    /// about 30 KB per viewer); one that does not (publishers) keeps it. Its own close still sends a close_notify the client
    /// accepts (written at release); the client's close_notify, no longer authenticable, ends
    /// the server's session only if no authenticated packet follows within 3 s
    /// (`PeerTransport.alertConfirmation`), so a spoofed alert (RFC 6347 §4.1: the content
    /// type is in the clear) cannot end a live session.
    @Test func releasedDTLSStillClosesBothWays() throws {
        let second: UInt64 = 1_000_000_000
        let quiet: PeerTransport.Send = { _, _ in }
        // The server closes: the pre-written close_notify ends the client's session.
        let closing = try PeerTransportPair(profile: .aeadAES128GCM)
        closing.server.releasesDTLSStateWhenKeyed = true
        closing.connect()
        let first = try #require(closing.protect(rtpPacket(ssrc: 3, sequence: 1), on: closing.client, rtcp: false))
        #expect(closing.receive(first, sentBy: closing.client).0 == .rtp(length: 16))
        #expect(closing.server.dtls.endpoint.isReleased)
        let keeping = try PeerTransportPair(profile: .aeadAES128GCM)
        keeping.connect()
        let kept = try #require(keeping.protect(rtpPacket(ssrc: 3, sequence: 1), on: keeping.client, rtcp: false))
        #expect(keeping.receive(kept, sentBy: keeping.client).0 == .rtp(length: 16))
        #expect(!keeping.server.dtls.endpoint.isReleased)
        closing.server.close(send: closing.sender(from: closing.serverAddress))
        #expect(closing.inFlight.count == 1)
        closing.pump(now: 1)
        #expect(closing.client.poll(now: 1, send: quiet) == .failed)

        // The client closes: its alert ends the server's session once 3 s pass without media.
        let peers = try PeerTransportPair(profile: .aeadAES128GCM)
        peers.server.releasesDTLSStateWhenKeyed = true
        peers.connect()
        let media = try #require(peers.protect(rtpPacket(ssrc: 3, sequence: 1), on: peers.client, rtcp: false))
        #expect(peers.receive(media, sentBy: peers.client, now: second).0 == .rtp(length: 16))
        peers.client.close(send: peers.sender(from: peers.clientAddress))
        peers.pump(now: 2 * second)
        #expect(peers.server.poll(now: 2 * second, send: quiet) == .wait(until: 5 * second))
        #expect(peers.server.poll(now: 4 * second, send: quiet) != .failed)
        #expect(peers.server.poll(now: 5 * second, send: quiet) == .failed)

        // A spoofed alert from the client's address: the client's next packet contradicts it.
        let live = try PeerTransportPair(profile: .aeadAES128GCM)
        live.server.releasesDTLSStateWhenKeyed = true
        live.connect()
        let opening = try #require(live.protect(rtpPacket(ssrc: 3, sequence: 1), on: live.client, rtcp: false))
        #expect(live.receive(opening, sentBy: live.client, now: second).0 == .rtp(length: 16))
        // DTLS record header (RFC 6347 §4.1): alert, DTLS 1.2, epoch 1, sequence 9, 2 bytes.
        let spoofed: [UInt8] = [21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 9, 0, 2, 1, 0]
        live.deliver(.init(bytes: spoofed, from: live.clientAddress, to: live.serverAddress), now: 2 * second)
        let next = try #require(live.protect(rtpPacket(ssrc: 3, sequence: 2), on: live.client, rtcp: false))
        #expect(live.receive(next, sentBy: live.client, now: 3 * second).0 == .rtp(length: 16))
        #expect(live.server.poll(now: 6 * second, send: quiet) != .failed)
    }
}
