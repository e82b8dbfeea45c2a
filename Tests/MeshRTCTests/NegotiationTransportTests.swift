import MeshRTC
import MeshWire
import Testing

/// ICE, DTLS, BUNDLE, extensions and section rules, on hand-written offers.
@Suite struct NegotiationTransportTests {
    static let vp8 = NegotiationOffers.video(payloadTypes: "96", "a=rtpmap:96 VP8/90000")

    /// RFC 8842 §5.3: actpass or active in the offer makes us passive (the DTLS server);
    /// passive makes us active; no a=setup means active (RFC 4145 §4).
    @Test(arguments: [("actpass", true), ("active", true), ("passive", false), (nil, true)] as [(String?, Bool)])
    func setupRole(offered: String?, weAreServer: Bool) throws {
        var transport = NegotiationOffers.transport.replacingOccurrences(of: "a=setup:actpass", with: "")
        if let offered { transport += "\na=setup:\(offered)" }
        let lines = transport.split(separator: "\n").joined(separator: "\n")
        let run = try NegotiationRun(
            NegotiationOffers.offer(transport: lines, NegotiationOffers.audio(), Self.vp8), role: .publisher)
        #expect(run.session.weAreDTLSServer == weAreServer)
        #expect(run.answer.media.allSatisfy { $0.setupRole == (weAreServer ? .passive : .active) })
    }

    /// Host candidates: UDP and passive TCP (RFC 6544 §4.5), UDP ranked higher, then
    /// end-of-candidates; the first UDP one is the default in m= and c= (RFC 8839 §4.2.1.1).
    @Test func hostCandidates() throws {
        let local = LocalTransport(
            ufrag: "Mesh", password: "n0deP4ssw0rdF0rTesting", fingerprint: NegotiationLocal.fingerprint,
            candidates: [
                LocalCandidate(ip: "2001:db8::7", port: 5000, transport: .tcpPassive),
                LocalCandidate(ip: "2001:db8::7", port: 5001, transport: .udp),
                LocalCandidate(ip: "203.0.113.7", port: 5002, transport: .udp),
            ])
        let run = try NegotiationRun(
            NegotiationOffers.offer(NegotiationOffers.audio(), Self.vp8), role: .publisher, local: local)
        let section = try run.section("0")
        let candidates = section.candidates
        #expect(candidates.map(\.port) == [5000, 5001, 5002])
        #expect(candidates.allSatisfy { $0.kind == .host && $0.component == 1 })
        #expect(candidates[0].transport == "tcp" && candidates[0].tcpType == "passive")
        #expect(candidates[1].transport == "udp" && candidates[1].tcpType == nil)
        #expect(candidates[1].priority > candidates[2].priority && candidates[2].priority > candidates[0].priority)
        #expect(Set(candidates.map(\.foundation)).count == 3)
        #expect(section.hasEndOfCandidates)
        #expect(section.mediaLine.port == 5001)
        #expect(section.connections == [SDPConnection(addressType: "IP6", address: "2001:db8::7")])
    }

    /// A section with no usable codec is rejected with port 0 and its mid (RFC 3264 §6); the
    /// others go on, and the BUNDLE group lists only accepted mids. A data channel likewise.
    @Test func unusableSectionsAreRejected() throws {
        let pcmu = """
            m=audio 9 UDP/TLS/RTP/SAVPF 0
            c=IN IP4 0.0.0.0
            a=mid:0
            a=sendonly
            a=rtcp-mux
            a=rtpmap:0 PCMU/8000
            """
        let data = """
            m=application 9 UDP/DTLS/SCTP webrtc-datachannel
            c=IN IP4 0.0.0.0
            a=mid:2
            a=sctp-port:5000
            """
        let run = try NegotiationRun(
            NegotiationOffers.offer(group: "a=group:BUNDLE 0 1 2", pcmu, Self.vp8, data), role: .publisher)
        #expect(run.session.media.map(\.mid) == ["1"])
        #expect(run.answer.media.map(\.mediaLine.port) == [0, 40_000, 0])
        #expect(run.answer.media.map(\.mid) == ["0", "1", "2"])
        #expect(run.answer.bundleMIDs == ["1"])
        #expect(try run.section("0").mediaLine.formats == ["0"])
        #expect(try run.section("2").mediaLine.formats == ["webrtc-datachannel"])
    }

    /// A section the offerer disabled (port 0, no bundle-only) stays disabled.
    @Test func disabledSectionStaysDisabled() throws {
        let disabled = NegotiationOffers.audio().replacingOccurrences(of: "m=audio 9", with: "m=audio 0")
        let run = try NegotiationRun(NegotiationOffers.offer(disabled, Self.vp8), role: .publisher)
        #expect(run.session.media.map(\.mid) == ["1"])
        #expect(try run.section("0").mediaLine.port == 0)
    }

    /// Header extensions per role; unknown URIs dropped; a direction is mirrored (RFC 8285 §8).
    /// abs-capture-time is accepted both ways: publishers send it, viewers get it copied.
    @Test(arguments: [NegotiationRole.publisher, .viewer])
    func extensionsPerRole(role: NegotiationRole) throws {
        let extensions = """
            a=extmap:1 urn:ietf:params:rtp-hdrext:ssrc-audio-level
            a=extmap:2/sendonly http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time
            a=extmap:3 http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01
            a=extmap:4 urn:ietf:params:rtp-hdrext:sdes:mid
            a=extmap:5 urn:ietf:params:rtp-hdrext:toffset
            a=extmap:6 urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id
            a=extmap:7 urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id
            a=extmap:8 http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time
            """
        let audio = NegotiationOffers.audio(direction: role == .publisher ? "sendonly" : "recvonly", extensions)
        let run = try NegotiationRun(NegotiationOffers.offer(group: "a=group:BUNDLE 0", audio), role: role)
        let map = try run.media("0").extensions
        let answered = try run.section("0").extensionMaps
        #expect(map.audioLevel == 1 && map.absSendTime == 2 && map.mid == 4 && map.absCaptureTime == 8)
        #expect(answered.first { $0.id == 8 }?.uri == HeaderExtensionMap.URI.absCaptureTime)
        #expect(answered.first { $0.id == 2 }?.direction == .receiveOnly)
        #expect(!answered.contains { $0.id == 5 })
        if role == .publisher {
            #expect(
                map
                    == HeaderExtensionMap(
                        mid: 4, rid: 6, repairedRID: 7, absSendTime: 2, transportCC: 3, audioLevel: 1, absCaptureTime: 8
                    )
            )
            #expect(answered.map(\.id) == [1, 2, 3, 4, 6, 7, 8])
        } else {
            #expect(map == HeaderExtensionMap(mid: 4, absSendTime: 2, audioLevel: 1, absCaptureTime: 8))
            #expect(answered.map(\.id) == [1, 2, 4, 8])
        }
    }

    /// rtcp-rsize is answered only when offered (RFC 5506 §5).
    @Test func reducedSizeOnlyWhenOffered() throws {
        let run = try NegotiationRun(
            NegotiationOffers.offer(NegotiationOffers.audio("a=rtcp-rsize"), Self.vp8), role: .publisher)
        #expect(try run.section("0").attributes.contains(.rtcpReducedSize))
        #expect(try !run.section("1").attributes.contains(.rtcpReducedSize))
    }

    /// One section and no BUNDLE group is fine, and the answer has no group (RFC 9143 §7.3.1).
    @Test func singleSectionWithoutBundle() throws {
        let run = try NegotiationRun(NegotiationOffers.offer(group: nil, Self.vp8), role: .publisher)
        #expect(run.session.media.map(\.mid) == ["1"])
        #expect(run.answer.groups.isEmpty)
    }

    /// ICE credentials and fingerprint at media level only (libwebrtc's layout) are found;
    /// of several fingerprints, SHA-256 is taken (RFC 8827 §6.5).
    @Test func mediaLevelTransportAndFingerprintChoice() throws {
        let transport = """
            a=ice-ufrag:EsAw
            a=ice-pwd:bP+XJMM09aR8AiX1jdukzR6Y
            a=fingerprint:sha-1 01:02:03:04:05:06:07:08:09:0A:0B:0C:0D:0E:0F:10:11:12:13:14
            a=fingerprint:SHA-256 0F:74:31:25:CB:A2:13:EC:28:6F:6D:2C:61:FF:5D:C2:BC:B9:DB:3D:98:14:8D:1A:BB:EA:33:0C:A4:60:A8:8E
            a=setup:active
            """
        let run = try NegotiationRun(
            NegotiationOffers.offer(transport: "", NegotiationOffers.audio(transport), Self.vp8), role: .publisher)
        #expect(run.session.remoteUfrag == "EsAw")
        #expect(run.session.remotePassword == "bP+XJMM09aR8AiX1jdukzR6Y")
        #expect(run.session.remoteFingerprint.hasPrefix("SHA-256 0F:74:31"))
        #expect(run.session.weAreDTLSServer)
    }

    /// Two viewer sections of one kind get distinct track ids (RFC 8830 §2); the stream name
    /// becomes an msid token (space and `/` are not token-chars, RFC 8866 §9).
    @Test func viewerTrackIDsAndStreamToken() throws {
        let first = NegotiationOffers.video(
            mid: "0", direction: "recvonly", payloadTypes: "96", "a=rtpmap:96 VP8/90000")
        let second = NegotiationOffers.video(
            mid: "1", direction: "recvonly", payloadTypes: "96", "a=rtpmap:96 VP8/90000")
        let run = try NegotiationRun(
            NegotiationOffers.offer(first, second), role: .viewer, streamName: "live show/1")
        #expect(try run.section("0").msids == [MediaStreamID(streamID: "live-show-1", trackID: "video")])
        #expect(try run.section("1").msids == [MediaStreamID(streamID: "live-show-1", trackID: "video-1")])
        // No RTX offered: one SSRC per section, no FID group.
        #expect(run.issuedSSRCs.count == 2)
        #expect(try run.section("1").ssrcGroups.isEmpty)
    }

    /// The node never announces an SSRC the offer already uses (RFC 3550 §8.2).
    @Test func localSSRCAvoidsRemoteOnes() throws {
        let audio = NegotiationOffers.audio(direction: "sendrecv", "a=ssrc:1111 cname:viewer")
        let run = try NegotiationRun(
            NegotiationOffers.offer(group: "a=group:BUNDLE 0", audio), role: .viewer, ssrcs: [1111, 2222])
        #expect(try run.media("0").localSSRC == 2222)
        #expect(try run.media("0").remoteSSRC == 1111)
    }
}

/// Edge cases of section handling.
@Suite struct NegotiationSectionEdgeTests {
    static let vp8 = NegotiationOffers.video(payloadTypes: "96", "a=rtpmap:96 VP8/90000")

    /// A bundle-only section (port 0 with `a=bundle-only`, RFC 9143 §6) is live and accepted.
    @Test func bundleOnlySectionIsAccepted() throws {
        let video = Self.vp8.replacingOccurrences(of: "m=video 9", with: "m=video 0") + "\na=bundle-only"
        let run = try NegotiationRun(NegotiationOffers.offer(NegotiationOffers.audio(), video), role: .publisher)
        #expect(run.session.media.map(\.mid) == ["0", "1"])
        #expect(try run.section("1").mediaLine.port == 40_000)
    }

    /// Without candidates the m= line says port 9 and c= the unspecified address (RFC 8839 §4.2.1.1's
    /// placeholder for ICE), and the section still ends its candidates.
    @Test func noLocalCandidates() throws {
        var local = NegotiationLocal.transport
        local.candidates = []
        let run = try NegotiationRun(
            NegotiationOffers.offer(group: "a=group:BUNDLE 1", Self.vp8), role: .publisher, local: local)
        let section = try run.section("1")
        #expect(section.mediaLine.port == 9)
        #expect(section.connections == [SDPConnection(address: "0.0.0.0")])
        #expect(section.candidates.isEmpty && section.hasEndOfCandidates)
    }

    /// Two sections may not share a mid (RFC 5888 §4).
    @Test func repeatedMIDIsMalformed() {
        let offer = NegotiationOffers.offer(
            group: "a=group:BUNDLE 0", NegotiationOffers.audio(), NegotiationOffers.audio(mid: "0"))
        guard case .malformed(let detail) = negotiationError(offer, role: .publisher) else {
            Issue.record("expected malformed")
            return
        }
        #expect(detail.contains("'0'") && detail.contains("RFC 5888"))
    }
}
