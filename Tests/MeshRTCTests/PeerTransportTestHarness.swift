import MeshCrypto
import MeshRTC
import MeshRuntime

/// A server and a client ``PeerTransport`` wired back to back in memory, like swift-nio's
/// EmbeddedChannel: every datagram one sends is queued and handed to the other by
/// ``pump(now:)``. No socket is opened; the addresses are fake loopback ones.
final class PeerTransportPair {
    struct Datagram {
        var bytes: [UInt8]
        var from: SocketAddress
        var to: SocketAddress
    }

    let server: PeerTransport
    let client: PeerTransport
    let serverAddress: SocketAddress
    var clientAddress: SocketAddress
    /// Datagrams in flight, oldest first.
    var inFlight: [Datagram] = []
    /// What each side's `handleDatagram` returned, in order.
    var serverInbound: [PeerInbound] = []
    var clientInbound: [PeerInbound] = []

    /// Both sides offer only `profile`; the client plays DTLS `clientDTLSRole`.
    init(profile: SRTPProfile, clientDTLSRole: DTLSRole = .client) throws {
        let serverCertificate = try DTLSCertificate.generateSelfSigned()
        let clientCertificate = try DTLSCertificate.generateSelfSigned()
        let serverCredentials = ICECredentials.generate()
        let clientCredentials = ICECredentials.generate()
        serverAddress = try loopback(40000)
        clientAddress = try loopback(50000)
        server = try PeerTransport(
            agent: ICELiteAgent(local: serverCredentials, remote: clientCredentials),
            certificate: serverCertificate, remoteFingerprint: clientCertificate.fingerprint,
            dtlsRole: clientDTLSRole == .client ? .server : .client, profiles: [profile])
        client = try PeerTransport(
            client: ICEControllingClient(local: clientCredentials, remote: serverCredentials),
            server: serverAddress, certificate: clientCertificate,
            remoteFingerprint: serverCertificate.fingerprint, dtlsRole: clientDTLSRole, profiles: [profile])
    }

    /// The `send` closure of the side at `from`.
    func sender(from: SocketAddress) -> PeerTransport.Send {
        { bytes, to in self.inFlight.append(Datagram(bytes: Array(bytes), from: from, to: to)) }
    }

    /// Delivers everything in flight (and what the deliveries send) until quiet.
    func pump(now: UInt64) {
        var rounds = 0
        while !inFlight.isEmpty, rounds < 1000 {
            rounds += 1
            let datagram = inFlight.removeFirst()
            _ = deliver(datagram, now: now)
        }
    }

    /// Hands one datagram to the side it is addressed to and records what it made of it.
    @discardableResult
    func deliver(_ datagram: Datagram, now: UInt64) -> PeerInbound {
        var buffer = datagram.bytes + [UInt8](repeating: 0, count: 64)
        let toServer = datagram.to == serverAddress
        let target = toServer ? server : client
        let send = sender(from: datagram.to)
        let outcome = buffer.withUnsafeMutableBytes { buffer in
            target.handleDatagram(buffer, length: datagram.bytes.count, from: datagram.from, now: now, send: send)
        }
        if toServer { serverInbound.append(outcome) } else { clientInbound.append(outcome) }
        return outcome
    }

    /// Polls the client (which sends its check), then pumps until quiet.
    func connect(now: UInt64 = 0) {
        _ = server.poll(now: now, send: sender(from: serverAddress))
        _ = client.poll(now: now, send: sender(from: clientAddress))
        pump(now: now)
    }

    /// Protects `packet` on `side` and returns the SRTP or SRTCP bytes.
    func protect(_ packet: [UInt8], on side: PeerTransport, rtcp: Bool) -> [UInt8]? {
        var buffer = packet + [UInt8](repeating: 0, count: 64)
        let length = buffer.withUnsafeMutableBytes { buffer in
            rtcp
                ? side.protectRTCP(buffer, length: packet.count) : side.protectRTP(buffer, length: packet.count)
        }
        return length.map { Array(buffer[..<$0]) }
    }

    /// Hands `bytes` to the other side of `side`, returning the outcome and the buffer's
    /// first bytes (the decrypted packet for `.rtp` and `.rtcp`).
    func receive(_ bytes: [UInt8], sentBy side: PeerTransport, now: UInt64 = 0) -> (PeerInbound, [UInt8]) {
        let toServer = side === client
        let target = toServer ? server : client
        var buffer = bytes + [UInt8](repeating: 0, count: 64)
        let outcome = buffer.withUnsafeMutableBytes { buffer in
            target.handleDatagram(
                buffer, length: bytes.count, from: toServer ? clientAddress : serverAddress, now: now,
                send: sender(from: toServer ? serverAddress : clientAddress))
        }
        switch outcome {
        case .rtp(let length), .rtcp(let length): return (outcome, Array(buffer[..<length]))
        default: return (outcome, [])
        }
    }
}
