import Foundation
import MeshCrypto
import Testing

/// Our DTLS server against a DTLS client nobody here wrote: `openssl s_client`.
@Suite struct DTLSInteropTests {
    @Test(.timeLimit(.minutes(1)))
    func opensslClientNegotiatesAESCMWithOurServer() throws {
        let serverCertificate = try DTLSCertificate.generateSelfSigned(commonName: "meshcast-server")
        let clientCertificate = try DTLSCertificate.generateSelfSigned(commonName: "s_client")
        let directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshcrypto-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let certificateFile = directory.appendingPathComponent("client.pem")
        let keyFile = directory.appendingPathComponent("client.key")
        try clientCertificate.certificatePEM().write(to: certificateFile, atomically: true, encoding: .utf8)
        try clientCertificate.privateKeyPEM().write(to: keyFile, atomically: true, encoding: .utf8)

        let socket = try LoopbackUDPSocket()
        let server = try DTLSEndpoint(
            role: .server, certificate: serverCertificate, expectedPeerFingerprint: clientCertificate.fingerprint)

        let client = Process()
        client.executableURL = URL(fileURLWithPath: "/usr/bin/openssl")
        client.arguments = [
            "s_client", "-dtls1_2", "-use_srtp", "SRTP_AES128_CM_SHA1_80",
            "-connect", "127.0.0.1:\(socket.port)",
            "-cert", certificateFile.path, "-key", keyFile.path,
            // s_client prints the same RFC 5764 §4.2 export, so both sides' keys can be compared.
            "-keymatexport", "EXTRACTOR-dtls_srtp", "-keymatexportlen", "60",
        ]
        let input = Pipe()
        let output = Pipe()
        client.standardInput = input
        client.standardOutput = output
        client.standardError = output
        try client.run()
        defer {
            if client.isRunning { client.terminate() }
            client.waitUntilExit()
        }

        // Serve until s_client has finished (it exits once its stdin closes after the
        // handshake), bounded by a deadline rather than asserting on time.
        let deadline = ContinuousClock.now + .seconds(20)
        var closedInput = false
        while client.isRunning && ContinuousClock.now < deadline {
            if let datagram = socket.receive(waitingAtMost: 50) {
                do {
                    try server.receive(datagram)
                } catch {
                    // s_client says goodbye with close_notify after stdin closes; anything
                    // else is a failure.
                    guard case .closedByPeer = error else { throw error }
                }
            }
            if let timeout = server.nextTimeout, timeout <= .zero { try server.handleTimeout() }
            for datagram in server.takeOutgoingDatagrams() { try socket.reply(datagram) }
            if server.state == .connected && !closedInput {
                try input.fileHandleForWriting.close()
                closedInput = true
            }
        }
        if client.isRunning { client.terminate() }
        client.waitUntilExit()
        let transcript = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)

        #expect(server.negotiatedProfile == .aesCM128HmacSHA1_80)
        #expect(server.peerFingerprint == clientCertificate.fingerprint)
        let negotiated = transcript.split(separator: "\n").first { $0.contains("SRTP Extension negotiated") }
        #expect(negotiated?.contains("profile=SRTP_AES128_CM_SHA1_80") == true, "s_client said:\n\(transcript)")
        let keys = try #require(server.srtpKeys)
        #expect(keys.profile == .aesCM128HmacSHA1_80)
        // "    Keying material: <120 hex digits>": client key, server key, client salt, server salt.
        let exported = transcript.split(separator: "\n").first { $0.contains("Keying material:") }
        let theirs = exported.map { hex(String($0.split(separator: ":").last ?? "")) }
        #expect(theirs == keys.clientWrite.key + keys.serverWrite.key + keys.clientWrite.salt + keys.serverWrite.salt)
    }
}
