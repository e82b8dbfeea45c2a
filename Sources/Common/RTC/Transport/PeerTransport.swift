import MeshCrypto
import MeshRuntime
import MeshWire

/// One WebRTC session's transport, sans-IO: ICE, DTLS-SRTP and SRTP over one UDP 5-tuple.
///
/// The engine hands every datagram for the session to
/// ``handleDatagram(_:length:from:now:send:)``, which demultiplexes by first byte
/// (RFC 7983 §7): STUN goes to ICE, DTLS to the ``DTLSEndpoint`` (RFC 5764), SRTP and SRTCP
/// (RFC 5761 §4) are unprotected in place. Outgoing media goes through ``protectRTP(_:length:)``
/// and ``protectRTCP(_:length:)``, also in place; neither media path allocates. A timer calls
/// ``poll(now:send:)``. Datagrams to send are handed to a `send` closure, never kept.
///
/// The transport owns two halves and joins them: ``PeerICE`` (the server's ``ICELiteAgent``, or
/// the client's ``ICEControllingClient``, whose checks go out from ``poll(now:send:)``) and
/// ``PeerDTLS`` (the handshake). The DTLS role is independent of the ICE side (SDP `a=setup`
/// decides it). A client-role DTLS endpoint starts its handshake once ICE has a remote address;
/// DTLS and media are accepted only from addresses ICE validated. One worker owns a transport;
/// it is not `Sendable`.
public final class PeerTransport {
    /// The closure datagrams leave through: the bytes (valid only during the call) and where to.
    public typealias Send = (UnsafeRawBufferPointer, SocketAddress) -> Void

    /// How long without consent ends a session (RFC 7675 §5.1).
    public static let consentTimeout: UInt64 = 30_000_000_000
    /// Client: the gap between checks until one succeeds (RFC 8445 §14.2 paces at 50 ms; a
    /// single pair needs no more).
    public static let checkInterval: UInt64 = 50_000_000
    /// Client: the mean gap between consent checks once connected (RFC 7675 §5.1: 5 s,
    /// randomized by ±20%).
    public static let consentInterval: UInt64 = 5_000_000_000

    /// The ICE half: answers or sends checks, knows which address passed.
    let ice: PeerICE
    /// The DTLS half: the handshake that keys SRTP.
    var dtls: PeerDTLS
    /// The SRTP contexts, once the handshake is connected; `nil` again after close.
    var srtp: SRTPContextPair?
    /// Whether ``close(send:)`` ran.
    var isClosed = false
    /// The first `now` seen, standing for the creation time.
    var createdAt: UInt64?
    /// Client: when the next check is due.
    var nextCheck: UInt64 = 0
    /// Whether the DTLS endpoint's libssl state is freed once the peer's first SRTP or SRTCP
    /// packet authenticates (``DTLSEndpoint/release()``): about 30 KB less per session, for
    /// ending on the peer's close_notify only after ``alertConfirmation`` without its packets.
    public var releasesDTLSStateWhenKeyed = false
    /// SRTP and SRTCP packets from the peer that authenticated.
    var authenticatedInbound = 0
    /// When a released DTLS endpoint saw an alert, and ``authenticatedInbound`` then: the
    /// session ends if no authenticated packet follows within ``alertConfirmation``.
    var unconfirmedAlert: (at: UInt64, authenticated: Int)?
    /// How long an unauthenticated alert waits for the peer's media or reports to contradict
    /// it (viewers send RTCP at least every second; a spoofed alert changes nothing).
    static let alertConfirmation: UInt64 = 3_000_000_000

    /// A server-side transport answering ICE with `agent`.
    /// `profiles` are offered or accepted in order of preference.
    public init(
        agent: ICELiteAgent, certificate: DTLSCertificate, remoteFingerprint: CertificateFingerprint,
        dtlsRole: DTLSRole, profiles: [SRTPProfile] = [.aeadAES128GCM, .aesCM128HmacSHA1_80]
    ) throws(DTLSError) {
        ice = .controlled(agent)
        dtls = try PeerDTLS(
            role: dtlsRole, certificate: certificate, remoteFingerprint: remoteFingerprint, profiles: profiles)
    }

    /// A client-side transport checking `server` with `client`.
    public init(
        client: ICEControllingClient, server: SocketAddress, certificate: DTLSCertificate,
        remoteFingerprint: CertificateFingerprint, dtlsRole: DTLSRole,
        profiles: [SRTPProfile] = [.aeadAES128GCM, .aesCM128HmacSHA1_80]
    ) throws(DTLSError) {
        ice = .controlling(client, server: server)
        dtls = try PeerDTLS(
            role: dtlsRole, certificate: certificate, remoteFingerprint: remoteFingerprint, profiles: profiles)
    }

    /// The server-side ICE agent (for restarts and counters); `nil` on the client side.
    public var agent: ICELiteAgent? {
        if case .controlled(let agent) = ice { return agent }
        return nil
    }

    /// The client-side ICE agent; `nil` on the server side.
    public var client: ICEControllingClient? {
        if case .controlling(let client, _) = ice { return client }
        return nil
    }

    /// Whether SRTP is keyed and the session not closed: media can flow.
    public var isConnected: Bool { srtp != nil && !isClosed }

    /// The DTLS endpoint's state.
    public var dtlsState: DTLSEndpoint.State { dtls.endpoint.state }

    /// The negotiated SRTP profile once connected; its trailer lengths tell how much room
    /// ``protectRTP(_:length:)`` and ``protectRTCP(_:length:)`` need after a packet.
    public var srtpProfile: SRTPProfile? { dtls.endpoint.negotiatedProfile }

    /// Where media goes: the server's selected address, or the client's server once a check
    /// succeeded.
    public var remoteAddress: SocketAddress? { ice.remoteAddress }

    /// Handles one datagram the session received from `from`; `buffer[0..<length]` holds it.
    /// Replies (STUN responses, DTLS flights) leave through `send` before this returns. For
    /// `.rtp` and `.rtcp` the decrypted packet starts at `buffer.baseAddress`.
    public func handleDatagram(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, from: SocketAddress, now: UInt64, send: Send
    ) -> PeerInbound {
        guard length >= 0, length <= buffer.count else { return .dropped(.malformed) }
        let kind = RFC7983Demultiplexer.classify(UnsafeRawBufferPointer(rebasing: buffer[..<length]))
        return handleDatagram(buffer, length: length, kind: kind, from: from, now: now, send: send)
    }

    /// ``handleDatagram(_:length:from:now:send:)`` for a datagram the caller already classified
    /// (RFC 7983), so a node's demultiplexer looks at each first byte once.
    public func handleDatagram(
        _ buffer: UnsafeMutableRawBufferPointer, length: Int, kind: DemuxedPacketKind, from: SocketAddress,
        now: UInt64, send: Send
    ) -> PeerInbound {
        if createdAt == nil { createdAt = now }
        guard length >= 0, length <= buffer.count else { return .dropped(.malformed) }
        let packet = UnsafeRawBufferPointer(rebasing: buffer[..<length])
        switch kind {
        case .stun:
            guard let message = try? STUNMessage(parsing: packet) else { return .dropped(.notSTUN) }
            return handleParsedSTUN(message, from: from, now: now, send: send)
        case .dtls: return handleDTLS(packet, from: from, now: now, send: send)
        case .rtp: return unprotect(buffer, length: length, from: from, rtcp: false)
        case .rtcp: return unprotect(buffer, length: length, from: from, rtcp: true)
        case .zrtp, .turnChannel, .drop: return .dropped(.notDemuxable)
        }
    }

    /// A STUN message the caller already parsed (to find the session by its USERNAME): handled
    /// as ``handleDatagram(_:length:from:now:send:)`` would, without parsing it again.
    public func handleSTUN(_ message: STUNMessage, from: SocketAddress, now: UInt64, send: Send) -> PeerInbound {
        if createdAt == nil { createdAt = now }
        return handleParsedSTUN(message, from: from, now: now, send: send)
    }

    /// Hands a parsed STUN message to the ICE half; a successful binding may start DTLS.
    private func handleParsedSTUN(_ message: STUNMessage, from: SocketAddress, now: UInt64, send: Send) -> PeerInbound {
        let inbound = ice.handle(message, from: from, now: now, send: send)
        if case .binding = inbound { startHandshakeIfReady(send: send) }
        return inbound
    }

    /// Feeds a DTLS record from a validated address to the endpoint, sends its replies, and
    /// keys SRTP when the handshake completes.
    private func handleDTLS(_ record: UnsafeRawBufferPointer, from: SocketAddress, now: UInt64, send: Send)
        -> PeerInbound
    {
        guard ice.isValidated(from) else { return .dropped(.unknownAddress) }
        let alertsBefore = dtls.endpoint.alertsAfterRelease
        let accepted = dtls.receive(record)
        dtls.flush(to: remoteAddress ?? from, send: send)
        if !accepted { return .dropped(.dtlsError) }
        if dtls.endpoint.alertsAfterRelease != alertsBefore, unconfirmedAlert == nil {
            unconfirmedAlert = (now, authenticatedInbound)
        }
        return keySRTPIfConnected() ? .connected : .none
    }

    /// A client-role endpoint starts once ICE has somewhere to send the ClientHello.
    private func startHandshakeIfReady(send: Send) {
        guard !isClosed, let destination = remoteAddress, dtls.startAsClient() else { return }
        dtls.flush(to: destination, send: send)
    }

    /// Builds the SRTP contexts the first time the endpoint is connected; `true` then.
    private func keySRTPIfConnected() -> Bool {
        guard srtp == nil, let contexts = dtls.srtpContexts() else { return false }
        srtp = contexts
        return true
    }
}

@available(*, unavailable, message: "a peer transport belongs to one worker")
extension PeerTransport: Sendable {}
