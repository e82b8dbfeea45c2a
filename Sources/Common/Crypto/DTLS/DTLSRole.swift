/// Which side of the DTLS handshake an endpoint plays; SDP's `a=setup` decides it (RFC 8842 §5).
public enum DTLSRole: Sendable, Hashable {
    /// Sends the ClientHello (`a=setup:active`).
    case client
    /// Waits for the ClientHello (`a=setup:passive`).
    case server
}
