import MeshCrypto
import MeshRuntime

/// The DTLS-SRTP half of a ``PeerTransport`` (RFC 5764): the ``DTLSEndpoint`` and whether its
/// handshake has started.
///
/// The transport decides who may speak DTLS (addresses that passed ICE) and where flights go,
/// and keeps the SRTP contexts this half derives. Nothing here sends from inside a `mutating`
/// method, so a `send` closure that calls back into the transport never overlaps an access to
/// this value.
struct PeerDTLS {
    /// Where the handshake's retransmission timer (RFC 6347 §4.2.4) stands after a poll.
    enum RetransmissionTimer {
        /// No timer runs: the handshake has not started, or is over.
        case idle
        /// The timer had run out; the flight was sent again.
        case fired
        /// The timer runs out at this time (monotonic ns).
        case pending(until: UInt64)
    }

    /// The DTLS 1.2 endpoint.
    let endpoint: DTLSEndpoint
    /// Whether the handshake has started: this side sent a ClientHello, or the peer sent a record.
    private(set) var started = false

    /// An endpoint in `role`, expecting the peer's certificate to match `remoteFingerprint`;
    /// `profiles` are offered or accepted in order of preference.
    init(
        role: DTLSRole, certificate: DTLSCertificate, remoteFingerprint: CertificateFingerprint,
        profiles: [SRTPProfile]
    ) throws(DTLSError) {
        endpoint = try DTLSEndpoint(
            role: role, certificate: certificate, expectedPeerFingerprint: remoteFingerprint, profiles: profiles)
    }

    /// Feeds one record to the endpoint; `false` when it rejects it. A peer that sends its
    /// ClientHello first shows that it is ready, so any record counts as the handshake starting.
    /// Replies wait for ``flush(to:send:)``.
    mutating func receive(_ record: UnsafeRawBufferPointer) -> Bool {
        started = true
        do throws(DTLSError) {
            try endpoint.receive(record)
            return true
        } catch {
            return false
        }
    }

    /// A client-role endpoint that has not started yet starts now; `true` when it did (its
    /// ClientHello waits for ``flush(to:send:)``).
    mutating func startAsClient() -> Bool {
        guard endpoint.role == .client, !started else { return false }
        started = true
        do throws(DTLSError) { try endpoint.start() } catch {}
        return true
    }

    /// Sends what the endpoint queued.
    func flush(to destination: SocketAddress, send: PeerTransport.Send) {
        for datagram in endpoint.takeOutgoingDatagrams() {
            datagram.withUnsafeBytes { send($0, destination) }
        }
    }

    /// The SRTP contexts for the keys the handshake exported, once it is connected; `nil`
    /// before, or when libsrtp refuses the keys.
    func srtpContexts() -> SRTPContextPair? {
        guard endpoint.state == .connected, let keys = endpoint.srtpKeys else { return nil }
        do throws(SRTPError) {
            return try SRTPContextPair(keys: keys, role: endpoint.role)
        } catch {
            return nil
        }
    }

    /// Runs the retransmission timer while the handshake is under way: when it has run out, the
    /// endpoint resends its flight, to `destination` when there is one.
    func pollRetransmission(now: UInt64, destination: SocketAddress?, send: PeerTransport.Send)
        -> RetransmissionTimer
    {
        guard started, endpoint.state == .handshaking, let remaining = endpoint.nextTimeout else { return .idle }
        guard remaining <= .zero else {
            let (seconds, attoseconds) = remaining.components
            let nanoseconds = UInt64(max(seconds, 0)) &* 1_000_000_000 &+ UInt64(attoseconds / 1_000_000_000)
            return .pending(until: now &+ nanoseconds)
        }
        do throws(DTLSError) { try endpoint.handleTimeout() } catch {}
        if let destination { flush(to: destination, send: send) }
        return .fired
    }

    /// Sends close_notify (RFC 5246 §7.2.1) to `destination` when the handshake had started.
    func close(destination: SocketAddress?, send: PeerTransport.Send) {
        guard started else { return }
        endpoint.close()
        if let destination { flush(to: destination, send: send) }
    }
}
