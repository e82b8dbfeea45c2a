import CMeshShims
import COpenSSL
import Foundation
import MeshCrypto
import Testing

/// `TLSServerSession` (TURN over TLS, RFC 8656 §3.1) against OpenSSL's own TLS client, both
/// over memory BIOs in this process: the handshake, application data both ways in several
/// records, close_notify, bytes that are not TLS, and certificate files that do not load.
@Suite struct TLSServerSessionTests {
    /// A self-signed P-256 certificate and its key written as PEM files; removed by `remove()`.
    struct Files {
        let directory: URL
        let certificate: String
        let key: String

        init(commonName: String = "turn.test") throws {
            let generated = try DTLSCertificate.generateSelfSigned(commonName: commonName)
            directory = FileManager.default.temporaryDirectory.appendingPathComponent("meshtls-\(UUID().uuidString)")
            try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
            certificate = directory.appendingPathComponent("cert.pem").path
            key = directory.appendingPathComponent("key.pem").path
            try generated.certificatePEM().write(toFile: certificate, atomically: true, encoding: .utf8)
            try generated.privateKeyPEM().write(toFile: key, atomically: true, encoding: .utf8)
        }

        func remove() { try? FileManager.default.removeItem(at: directory) }
    }

    /// OpenSSL's TLS client over memory BIOs, verifying nothing (the server's certificate is
    /// self-signed; what is tested is the server's side).
    final class Client {
        let context: OpaquePointer
        let connection: OpaquePointer
        let incoming: OpaquePointer
        let outgoing: OpaquePointer

        init() throws {
            context = try #require(SSL_CTX_new(TLS_client_method()))
            connection = try #require(SSL_new(context))
            incoming = try #require(BIO_new(BIO_s_mem()))
            outgoing = try #require(BIO_new(BIO_s_mem()))
            _ = CMeshShims_BIO_set_mem_eof_return(incoming, -1)
            _ = CMeshShims_BIO_set_mem_eof_return(outgoing, -1)
            SSL_set_bio(connection, incoming, outgoing)
            SSL_set_connect_state(connection)
        }

        deinit {
            SSL_free(connection)
            SSL_CTX_free(context)
        }

        /// The bytes the client wants sent to the server.
        func take() -> [UInt8] {
            var data: UnsafeMutablePointer<CChar>?
            let count = CMeshShims_BIO_get_mem_data(outgoing, &data)
            guard count > 0, let data else { return [] }
            defer { _ = CMeshShims_BIO_reset(outgoing) }
            return Array(UnsafeRawBufferPointer(start: data, count: count))
        }

        func give(_ bytes: [UInt8]) { _ = BIO_write(incoming, bytes, Int32(bytes.count)) }

        func read() -> [UInt8] {
            var received: [UInt8] = []
            var buffer = [UInt8](repeating: 0, count: 4096)
            while case let count = SSL_read(connection, &buffer, Int32(buffer.count)), count > 0 {
                received += buffer[..<Int(count)]
            }
            return received
        }
    }

    /// Runs the handshake to the end, each side answering the other; false if it stalls.
    static func handshake(_ client: Client, _ server: TLSServerSession) throws -> Bool {
        for _ in 0..<10 {
            let done = SSL_do_handshake(client.connection) == 1
            let flight = client.take()
            if !flight.isEmpty {
                try flight.withUnsafeBytes { raw in try server.receive(raw) { _ in } }
            }
            var reply: [UInt8] = []
            server.flush { reply += $0 }
            client.give(reply)
            if done && server.state == .established { return true }
        }
        return false
    }

    @Test func handshakeDataAndCloseNotify() throws {
        let files = try Files()
        defer { files.remove() }
        let context = try TLSServerContext(certificatePath: files.certificate, keyPath: files.key)
        let server = try TLSServerSession(context: context)
        let client = try Client()
        #expect(try Self.handshake(client, server))
        #expect(SSL_version(client.connection) >= TLS1_2_VERSION)

        // 40 000 bytes from the client arrive as several records; the server gets them all, in order.
        let message = (0..<40_000).map { UInt8(truncatingIfNeeded: $0 &* 7) }
        #expect(SSL_write(client.connection, message, Int32(message.count)) == Int32(message.count))
        var delivered: [UInt8] = []
        try client.take().withUnsafeBytes { raw in try server.receive(raw) { delivered += $0 } }
        #expect(delivered == message)

        // And back: what the server writes, the client reads.
        let reply: [UInt8] = [0x01, 0x01, 0x00, 0x00, 0x21, 0x12, 0xA4, 0x42]
        try reply.withUnsafeBytes { try server.write($0) }
        var records: [UInt8] = []
        server.flush { records += $0 }
        client.give(records)
        #expect(client.read() == reply)

        // close_notify from the client ends the session; nothing more is delivered.
        #expect(SSL_shutdown(client.connection) >= 0)
        try client.take().withUnsafeBytes { raw in try server.receive(raw) { _ in Issue.record("data after close") } }
        #expect(server.state == .closed)
    }

    /// Bytes that cannot start a TLS record fail at once and close the session: an HTTP
    /// request (major version 0x45, not 3) and a STUN Binding request (0x01). An Allocate's
    /// header (0x00 0x03 0x00 …) reads as a record header whose body has not arrived, so OpenSSL
    /// waits: the relay's 30 s limit on connections without an allocation closes those.
    @Test func bytesThatAreNotTLS() throws {
        let files = try Files()
        defer { files.remove() }
        let context = try TLSServerContext(certificatePath: files.certificate, keyPath: files.key)
        // RFC 5769 §2.1's request header: Binding, length 0x0058, magic cookie.
        let binding: [UInt8] = [0x00, 0x01, 0x00, 0x58, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 0, count: 12)
        for bytes in [Array("GET / HTTP/1.1\r\nHost: turn\r\n\r\n".utf8), binding] {
            let server = try TLSServerSession(context: context)
            #expect(throws: OpenSSLError.self) {
                try bytes.withUnsafeBytes { raw in try server.receive(raw) { _ in } }
            }
            #expect(server.state == .closed)
            #expect(throws: OpenSSLError.self) { try [UInt8(1)].withUnsafeBytes { try server.write($0) } }
        }

        let waiting = try TLSServerSession(context: context)
        let allocate: [UInt8] = [0x00, 0x03, 0x00, 0x08, 0x21, 0x12, 0xA4, 0x42] + [UInt8](repeating: 0, count: 12)
        try allocate.withUnsafeBytes { raw in try waiting.receive(raw) { _ in Issue.record("plaintext from STUN") } }
        #expect(waiting.state == .handshaking)
    }

    /// Files that do not load name themselves in the error; a key of another certificate fails
    /// the pairing check.
    @Test func certificateFilesThatDoNotLoad() throws {
        let files = try Files()
        let other = try Files(commonName: "other.test")
        defer {
            files.remove()
            other.remove()
        }
        do {
            _ = try TLSServerContext(certificatePath: files.certificate + ".missing", keyPath: files.key)
            Issue.record("a missing certificate file loaded")
        } catch {
            #expect(error.operation.contains("cert.pem.missing"))
        }
        do {
            _ = try TLSServerContext(certificatePath: files.certificate, keyPath: other.key)
            Issue.record("a key of another certificate was accepted")
        } catch {
            #expect(error.operation.contains("PrivateKey") || error.operation.contains("check_private_key"))
        }
    }
}
