import MeshCrypto
import MeshRuntime

extension PeerTransport {
    /// Feeds a DTLS record from a validated address to the endpoint, sends its replies, and
    /// keys SRTP when the handshake completes.
    func handleDTLS(_ packet: UnsafeRawBufferPointer, from: SocketAddress, send: Send) -> PeerInbound {
        guard isValidated(from) else { return .dropped(.unknownAddress) }
        // A peer that sends its ClientHello first shows that it is ready.
        dtlsStarted = true
        let failed: Bool
        do throws(DTLSError) {
            try dtls.receive(packet)
            failed = false
        } catch {
            failed = true
        }
        flushDTLS(to: remoteAddress ?? from, send: send)
        if failed { return .dropped(.dtlsError) }
        return keySRTPIfConnected() ? .connected : .none
    }

    /// A client-role endpoint starts once ICE has somewhere to send the ClientHello.
    func startHandshakeIfReady(send: Send) {
        guard dtls.role == .client, !dtlsStarted, !isClosed, let destination = remoteAddress else { return }
        dtlsStarted = true
        do throws(DTLSError) { try dtls.start() } catch {}
        flushDTLS(to: destination, send: send)
    }

    /// Sends what the endpoint queued.
    func flushDTLS(to destination: SocketAddress, send: Send) {
        for datagram in dtls.takeOutgoingDatagrams() {
            datagram.withUnsafeBytes { send($0, destination) }
        }
    }

    /// Builds the SRTP contexts the first time the endpoint is connected; `true` then.
    private func keySRTPIfConnected() -> Bool {
        guard srtp == nil, dtls.state == .connected, let keys = dtls.srtpKeys else { return false }
        do throws(SRTPError) {
            srtp = try SRTPContextPair(keys: keys, role: dtls.role)
            return true
        } catch {
            return false
        }
    }
}
