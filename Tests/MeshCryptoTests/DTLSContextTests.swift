import COpenSSL
import Testing

@testable import MeshCrypto

/// One `SSL_CTX` per certificate and profile list, shared by every session that presents it
/// (issue 12: a context per session was 5.5 KB per viewer).
@Suite struct DTLSContextTests {
    @Test func sessionsOfOneCertificateShareItsContextPerProfileList() throws {
        let certificate = try DTLSCertificate.generateSelfSigned(commonName: "node")
        let first = try DTLSContext.shared(for: certificate, profiles: [.aeadAES128GCM, .aesCM128HmacSHA1_80])
        let second = try DTLSContext.shared(for: certificate, profiles: [.aeadAES128GCM, .aesCM128HmacSHA1_80])
        let other = try DTLSContext.shared(for: certificate, profiles: [.aesCM128HmacSHA1_80])
        defer { [first, second, other].forEach { SSL_CTX_free($0) } }
        #expect(first == second)
        #expect(first != other)
        let another = try DTLSCertificate.generateSelfSigned(commonName: "other node")
        let foreign = try DTLSContext.shared(for: another, profiles: [.aeadAES128GCM, .aesCM128HmacSHA1_80])
        defer { SSL_CTX_free(foreign) }
        #expect(foreign != first)
    }

    @Test func manySessionsOnOneSharedContextEachGetTheirOwnKeys() throws {
        // Three servers under one certificate (as a node's viewers are), handshaking
        // interleaved: a context shared by them must not mix their sessions.
        let serverCertificate = try DTLSCertificate.generateSelfSigned(commonName: "node")
        var pairs: [(client: DTLSEndpoint, server: DTLSEndpoint)] = []
        for index in 0..<3 {
            let clientCertificate = try DTLSCertificate.generateSelfSigned(commonName: "viewer \(index)")
            let client = try DTLSEndpoint(
                role: .client, certificate: clientCertificate, expectedPeerFingerprint: serverCertificate.fingerprint)
            let server = try DTLSEndpoint(
                role: .server, certificate: serverCertificate, expectedPeerFingerprint: clientCertificate.fingerprint)
            try client.start()
            pairs.append((client, server))
        }
        var moving = true
        while moving {
            moving = false
            for (client, server) in pairs {
                let toServer = client.takeOutgoingDatagrams()
                let toClient = server.takeOutgoingDatagrams()
                moving = moving || !toServer.isEmpty || !toClient.isEmpty
                for datagram in toServer { try server.receive(datagram) }
                for datagram in toClient { try client.receive(datagram) }
            }
        }
        for (client, server) in pairs {
            #expect(client.state == .connected && server.state == .connected)
            #expect(client.srtpKeys == server.srtpKeys)
        }
        let keys = pairs.compactMap { $0.server.srtpKeys?.clientWrite.key }
        #expect(Set(keys).count == 3)
    }
}
