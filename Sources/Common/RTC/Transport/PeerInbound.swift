/// What ``PeerTransport/handleDatagram(_:length:from:now:send:)`` made of one datagram.
public enum PeerInbound: Sendable, Equatable {
    /// Consumed with nothing for the caller (a DTLS flight, a keepalive indication).
    case none
    /// A valid STUN Binding exchange: a request answered (server) or a response accepted
    /// (client). `addressChanged`: ``PeerTransport/remoteAddress`` moved, so the engine's
    /// 5-tuple look-up should follow it.
    case binding(nominated: Bool, addressChanged: Bool)
    /// The DTLS handshake finished on this datagram; SRTP is ready.
    case connected
    /// An RTP packet of `length` bytes, decrypted in place at the start of the buffer.
    case rtp(length: Int)
    /// A compound RTCP packet of `length` bytes, decrypted in place at the start of the buffer.
    case rtcp(length: Int)
    /// Dropped; the reason names a metric label.
    case dropped(PeerDropReason)
}

/// Why a datagram was dropped, for per-reason drop counters.
public enum PeerDropReason: Sendable, Equatable, CaseIterable {
    /// The first byte matches nothing a WebRTC session carries (RFC 7983 §7).
    case notDemuxable
    /// Looked like STUN by its first byte but did not parse (RFC 8489 §5).
    case notSTUN
    /// STUN that this side does not take (a request on the client side, another method, a
    /// response to no transaction, a bad FINGERPRINT).
    case unexpectedSTUN
    /// A Binding request without USERNAME or MESSAGE-INTEGRITY (answered with 400).
    case badRequest
    /// A Binding request for credentials of no current generation (answered with 401).
    case unknownUsername
    /// A Binding request or response whose MESSAGE-INTEGRITY does not verify (401 answered).
    case badIntegrity
    /// A Binding request with unknown comprehension-required attributes (answered with 420).
    case unknownAttributes
    /// A Binding error response came back from the server.
    case bindingFailed
    /// DTLS or media from an address no valid Binding request came from.
    case unknownAddress
    /// DTLS failed on this datagram, or the session has ended.
    case dtlsError
    /// SRTP or SRTCP before the handshake finished.
    case notConnected
    /// SRTP or SRTCP authentication failed (RFC 3711 §3.3).
    case srtpAuth
    /// SRTP or SRTCP replayed or older than the replay window (RFC 3711 §3.3.2).
    case srtpReplay
    /// SRTP or SRTCP malformed or otherwise refused by libsrtp.
    case srtpError
    /// The length given does not fit the buffer.
    case malformed

    /// A stable snake_case name for metric labels.
    public var name: String {
        switch self {
        case .notDemuxable: "not_demuxable"
        case .notSTUN: "not_stun"
        case .unexpectedSTUN: "unexpected_stun"
        case .badRequest: "bad_request"
        case .unknownUsername: "unknown_username"
        case .badIntegrity: "bad_integrity"
        case .unknownAttributes: "unknown_attributes"
        case .bindingFailed: "binding_failed"
        case .unknownAddress: "unknown_address"
        case .dtlsError: "dtls_error"
        case .notConnected: "not_connected"
        case .srtpAuth: "srtp_auth"
        case .srtpReplay: "srtp_replay"
        case .srtpError: "srtp_error"
        case .malformed: "malformed"
        }
    }

    /// The drop reason for an ICE rejection.
    init(_ rejection: ICEBindingRejection) {
        switch rejection {
        case .badRequest: self = .badRequest
        case .unknownUsername: self = .unknownUsername
        case .badIntegrity: self = .badIntegrity
        case .unknownAttributes: self = .unknownAttributes
        }
    }
}

/// What ``PeerTransport/poll(now:send:)`` found.
public enum PeerTimerOutcome: Sendable, Equatable {
    /// All is well; poll again at `until` (monotonic ns) at the latest.
    case wait(until: UInt64)
    /// No consent for 30 s (RFC 7675 §5.1), or no valid Binding 30 s after creation: the
    /// session should be torn down.
    case consentExpired
    /// The DTLS handshake failed or the peer closed it: the session should be torn down.
    case failed
    /// ``PeerTransport/close(send:)`` was called.
    case closed
}
