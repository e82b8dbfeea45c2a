/// Why a DTLS-SRTP session failed or ended.
///
/// OpenSSL's own failures (including fatal alerts sent or received) keep their reasons from the
/// one OpenSSL error funnel, ``OpenSSLError``.
public enum DTLSError: Error, CustomStringConvertible {
    /// OpenSSL failed, or the handshake ended in a fatal alert; the reasons say which.
    case openSSL(OpenSSLError)
    /// The peer sent close_notify (RFC 5246 §7.2.1).
    case closedByPeer
    /// The peer's certificate does not hash to the fingerprint its SDP announced (RFC 8122 §5);
    /// `actual` is `nil` when the peer sent no certificate at all.
    case fingerprintMismatch(expected: CertificateFingerprint, actual: CertificateFingerprint?)
    /// The handshake finished without a `use_srtp` profile Meshcast speaks (RFC 5764 §4.1.3).
    case noSRTPProfile
    /// The exported keying material could not be split into SRTP master keys.
    case keyExport(SRTPError)
    /// The session already failed or closed; it takes no more datagrams.
    case sessionEnded

    /// A readable sentence naming the failure.
    public var description: String {
        switch self {
        case .openSSL(let error): "DTLS failed: \(error)"
        case .closedByPeer: "DTLS peer sent close_notify"
        case .fingerprintMismatch(let expected, let actual):
            "DTLS peer certificate fingerprint \(actual?.sdpValue ?? "(no certificate)") is not the expected \(expected.sdpValue)"
        case .noSRTPProfile: "DTLS handshake negotiated no SRTP protection profile (RFC 5764 §4.1.3)"
        case .keyExport(let error): "DTLS-SRTP key export failed: \(error)"
        case .sessionEnded: "DTLS session already ended"
        }
    }
}
