/// Which way media flows: `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive`
/// (RFC 8866 §6.7); also the optional direction of `a=extmap` (RFC 8285 §8).
public enum MediaDirection: String, Hashable, Sendable, CaseIterable {
    /// Media is sent and received.
    case sendReceive = "sendrecv"
    /// Media is only sent.
    case sendOnly = "sendonly"
    /// Media is only received.
    case receiveOnly = "recvonly"
    /// No media flows.
    case inactive = "inactive"
}

/// The DTLS role offered or taken, `a=setup` (RFC 4145 §4, RFC 8842 §5).
public enum SetupRole: String, Hashable, Sendable, CaseIterable {
    /// This side starts the DTLS handshake.
    case active
    /// This side waits for the handshake.
    case passive
    /// Either; the answerer chooses (what offers carry).
    case activeOrPassive = "actpass"
    /// No connection yet.
    case holdConnection = "holdconn"

    init(attributeValue: Substring) throws(SDPValueError) {
        guard let role = SetupRole(rawValue: String(attributeValue)) else {
            throw SDPValueError(
                "a=setup value '\(attributeValue)' is not active, passive, actpass or holdconn (RFC 4145 §4)")
        }
        self = role
    }
}
