import MeshCrypto

/// The SRTP contexts of a connected session: ours to protect with and the peer's to
/// unprotect with. A class so that the transport can hold the non-copyable contexts in an
/// optional and mutate them in place.
final class SRTPContextPair {
    var sender: SRTPSender
    var receiver: SRTPReceiver

    /// Keys the contexts from a finished DTLS-SRTP handshake, minding which side we played
    /// (RFC 5764 §4.2: the client writes with the client key).
    init(keys: DTLSSRTPKeys, role: DTLSRole) throws(SRTPError) {
        sender = try SRTPSender(keys.sending(as: role))
        receiver = try SRTPReceiver(keys.receiving(as: role))
    }
}
