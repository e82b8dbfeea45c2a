import MeshCrypto
import Testing

#if canImport(Glibc)
    import Glibc
#endif

/// Two in-process DTLS endpoints with datagrams shuttled between them, no sockets.
@Suite struct DTLSHandshakeTests {
    /// A client and a server that expect each other's real fingerprints unless told otherwise.
    static func pair(
        clientExpects: CertificateFingerprint? = nil,
        serverOffers: [SRTPProfile] = [.aeadAES128GCM, .aesCM128HmacSHA1_80]
    ) throws -> (client: DTLSEndpoint, server: DTLSEndpoint) {
        let clientCertificate = try DTLSCertificate.generateSelfSigned(commonName: "client")
        let serverCertificate = try DTLSCertificate.generateSelfSigned(commonName: "server")
        let client = try DTLSEndpoint(
            role: .client, certificate: clientCertificate,
            expectedPeerFingerprint: clientExpects ?? serverCertificate.fingerprint)
        let server = try DTLSEndpoint(
            role: .server, certificate: serverCertificate, expectedPeerFingerprint: clientCertificate.fingerprint,
            profiles: serverOffers)
        return (client, server)
    }

    /// Delivers every queued datagram both ways until neither side has anything to send.
    /// Returns how many datagrams were delivered.
    @discardableResult
    static func shuttle(_ client: DTLSEndpoint, _ server: DTLSEndpoint) throws -> Int {
        var delivered = 0
        while true {
            let toServer = client.takeOutgoingDatagrams()
            let toClient = server.takeOutgoingDatagrams()
            if toServer.isEmpty && toClient.isEmpty { return delivered }
            for datagram in toServer {
                #expect(datagram.count <= server.mtu)
                try server.receive(datagram)
            }
            for datagram in toClient {
                #expect(datagram.count <= client.mtu)
                try client.receive(datagram)
            }
            delivered += toServer.count + toClient.count
        }
    }

    @Test func handshakeDerivesMatchingSRTPKeys() throws {
        let (client, server) = try Self.pair()
        try client.start()
        try Self.shuttle(client, server)

        #expect(client.state == .connected)
        #expect(server.state == .connected)
        #expect(client.negotiatedProfile == .aeadAES128GCM)
        #expect(server.negotiatedProfile == client.negotiatedProfile)
        let clientKeys = try #require(client.srtpKeys)
        let serverKeys = try #require(server.srtpKeys)
        #expect(clientKeys == serverKeys)
        #expect(clientKeys.sending(as: .client) == serverKeys.receiving(as: .server))
        #expect(clientKeys.sending(as: .server) == serverKeys.receiving(as: .client))
        #expect(clientKeys.clientWrite != clientKeys.serverWrite)
        #expect(client.peerFingerprint == client.expectedPeerFingerprint)
        #expect(server.peerFingerprint == server.expectedPeerFingerprint)
    }

    @Test func derivedKeysCarrySRTPBetweenThePeers() throws {
        let (client, server) = try Self.pair()
        try client.start()
        try Self.shuttle(client, server)
        var sender = try SRTPSender(try #require(client.srtpKeys).sending(as: .client))
        var receiver = try SRTPReceiver(try #require(server.srtpKeys).receiving(as: .server))
        let packet = SRTPRoundTripTests.rtpPacket(sequence: 1)
        let protected = try inBuffer(packet) { try sender.protectRTP($0, length: $1) }
        let recovered = try inBuffer(protected) { try receiver.unprotectRTP($0, length: $1) }
        #expect(recovered == packet)
    }

    @Test func serverThatOnlyOffersAESCMNegotiatesIt() throws {
        let (client, server) = try Self.pair(serverOffers: [.aesCM128HmacSHA1_80])
        try client.start()
        try Self.shuttle(client, server)
        #expect(client.negotiatedProfile == .aesCM128HmacSHA1_80)
        #expect(server.negotiatedProfile == .aesCM128HmacSHA1_80)
        #expect(client.srtpKeys?.clientWrite.salt.count == 14)
    }

    @Test func droppedFlightIsRetransmittedAfterTimeout() throws {
        let (client, server) = try Self.pair()
        try client.start()
        let lostClientHello = client.takeOutgoingDatagrams()
        #expect(!lostClientHello.isEmpty)

        // Nothing arrived at the server; the client's timer is the only way forward.
        let wait = try #require(client.nextTimeout)
        try client.handleTimeout()  // not yet expired: must not give up or resend early
        sleepFor(wait + .milliseconds(20))
        try client.handleTimeout()
        let retransmitted = client.takeOutgoingDatagrams()
        #expect(retransmitted.count == lostClientHello.count)

        for datagram in retransmitted { try server.receive(datagram) }
        try Self.shuttle(client, server)
        #expect(client.state == .connected)
        #expect(server.state == .connected)
        #expect(client.srtpKeys == server.srtpKeys)
    }

    @Test func wrongExpectedFingerprintFailsTheHandshake() throws {
        let impostor = try DTLSCertificate.generateSelfSigned(commonName: "impostor").fingerprint
        let (client, server) = try Self.pair(clientExpects: impostor)
        try client.start()
        #expect {
            try Self.shuttle(client, server)
        } throws: { error in
            guard case .fingerprintMismatch(let expected, let actual)? = error as? DTLSError else { return false }
            return expected == impostor && actual != nil && actual != impostor
        }
        #expect(client.state == .failed)
        #expect(client.srtpKeys == nil)
        // The server learns of it through close_notify.
        #expect(throws: DTLSError.self) {
            for datagram in client.takeOutgoingDatagrams() { try server.receive(datagram) }
        }
        #expect(server.state == .closed)
    }

    @Test func fatalAlertFailsBothSidesWithOpenSSLReasons() throws {
        let (client, server) = try Self.pair()
        try client.start()
        var hello = try #require(client.takeOutgoingDatagrams().first)
        // Offset 13 skips the DTLS record header, 12 more the handshake header (RFC 6347 §4.1,
        // §4.2.2); ClientHello.client_version follows. Claim DTLS 1.0 (0xfeff), which the
        // server refuses with a fatal protocol_version alert.
        try #require(hello.count > 27 && hello[13] == 1)  // msg_type client_hello
        hello[25] = 0xfe
        hello[26] = 0xff
        #expect {
            try server.receive(hello)
        } throws: { error in
            guard case .openSSL(let reasons)? = error as? DTLSError else { return false }
            return !reasons.reasons.isEmpty
        }
        #expect(server.state == .failed)
        let alert = server.takeOutgoingDatagrams()
        try #require(!alert.isEmpty)
        #expect(alert[0][0] == 21)  // ContentType alert (RFC 5246 §6.2.1)
        #expect {
            for datagram in alert { try client.receive(datagram) }
        } throws: { error in
            guard case .openSSL(let reasons)? = error as? DTLSError else { return false }
            return reasons.description.contains("alert")
        }
        #expect(client.state == .failed)
    }

    @Test func closeNotifyEndsThePeerSession() throws {
        let (client, server) = try Self.pair()
        try client.start()
        try Self.shuttle(client, server)
        client.close()
        #expect {
            for datagram in client.takeOutgoingDatagrams() { try server.receive(datagram) }
        } throws: { error in
            if case .closedByPeer? = error as? DTLSError { return true }
            return false
        }
        #expect(server.state == .closed)
    }

    @Test func connectedServerAnswersARetransmittedFinalFlightAfterFreeingItsBuffers() throws {
        // RFC 6347 §4.2.4: the server sends the last flight; when it is lost, the client's
        // timer resends its own flight and the server must send its last flight again. The
        // server freed its record buffers on connecting, so this also shows libssl takes them
        // back when a record comes (and close_notify still reads afterwards).
        let (client, server) = try Self.pair()
        try client.start()
        while server.state != .connected {
            let toServer = client.takeOutgoingDatagrams()
            try #require(!toServer.isEmpty)
            for datagram in toServer { try server.receive(datagram) }
            guard server.state != .connected else { break }
            for datagram in server.takeOutgoingDatagrams() { try client.receive(datagram) }
        }
        let lostFinalFlight = server.takeOutgoingDatagrams()
        #expect(!lostFinalFlight.isEmpty)
        #expect(client.state == .handshaking)

        let wait = try #require(client.nextTimeout)
        sleepFor(wait + .milliseconds(20))
        try client.handleTimeout()
        let resent = client.takeOutgoingDatagrams()
        #expect(!resent.isEmpty)
        for datagram in resent { try server.receive(datagram) }
        let finalFlightAgain = server.takeOutgoingDatagrams()
        #expect(finalFlightAgain.count == lostFinalFlight.count)
        for datagram in finalFlightAgain { try client.receive(datagram) }
        #expect(client.state == .connected)
        #expect(client.srtpKeys == server.srtpKeys)

        client.close()
        #expect {
            for datagram in client.takeOutgoingDatagrams() { try server.receive(datagram) }
        } throws: { error in
            if case .closedByPeer? = error as? DTLSError { return true }
            return false
        }
        #expect(server.state == .closed)
    }

    /// `release()` frees libssl's state of a connected association; the close_notify it wrote
    /// then is still a record the peer authenticates (RFC 5246 §7.2.1), and records from the
    /// peer are only counted when their clear content type says alert (RFC 6347 §4.1).
    @Test func releasedEndpointStillSendsAValidCloseNotify() throws {
        let (client, server) = try Self.pair()
        try client.start()
        try Self.shuttle(client, server)
        #expect(server.state == .connected)
        server.release()
        #expect(server.isReleased && server.nextTimeout == nil)
        #expect(server.srtpKeys == client.srtpKeys)

        // A handshake record (content type 22) is ignored, an alert (21) counted.
        try server.receive([22, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 1, 0, 0])
        #expect(server.alertsAfterRelease == 0)
        try server.receive([21, 0xFE, 0xFD, 0, 1, 0, 0, 0, 0, 0, 2, 0, 2, 1, 0])
        #expect(server.alertsAfterRelease == 1 && server.state == .connected)

        server.close()
        #expect(server.state == .closed)
        #expect {
            for datagram in server.takeOutgoingDatagrams() { try client.receive(datagram) }
        } throws: { error in
            if case .closedByPeer? = error as? DTLSError { return true }
            return false
        }
        #expect(client.state == .closed)
    }

    @Test func fingerprintIsSDPShapedAndParsesBack() throws {
        let fingerprint = try DTLSCertificate.generateSelfSigned().fingerprint
        let sdp = fingerprint.sdpValue
        // "sha-256 " then 32 upper-case hex pairs joined by colons (RFC 8122 §5).
        #expect(sdp.hasPrefix("sha-256 "))
        #expect(sdp.count == "sha-256 ".count + 32 * 3 - 1)
        #expect(CertificateFingerprint(sdp: sdp) == fingerprint)
        #expect(CertificateFingerprint(sdp: sdp.lowercased()) == fingerprint)
        #expect(CertificateFingerprint(sdp: "sha-256 AB:CD") == nil)
        #expect(CertificateFingerprint(sdp: "sha-256") == nil)
        // "+F" parses as a number with UInt8(_:radix:) but is not a hex pair.
        #expect(CertificateFingerprint(sdp: "sha-256 +" + sdp.dropFirst(9)) == nil)
        #expect(CertificateFingerprint(sdp: "md-nonsense " + sdp.dropFirst(8)) == nil)
    }
}

/// Sleeps the calling thread; the handshake test waits for a real DTLS timer.
func sleepFor(_ duration: Duration) {
    let (seconds, attoseconds) = duration.components
    var request = timespec(tv_sec: Int(seconds), tv_nsec: Int(attoseconds / 1_000_000_000))
    var remaining = timespec()
    while nanosleep(&request, &remaining) != 0 { request = remaining }
}
