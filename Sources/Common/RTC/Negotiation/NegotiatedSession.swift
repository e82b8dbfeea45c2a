/// The outcome of answering an offer: the SDP answer text and what the engine needs to run the
/// session.
public struct NegotiatedSession: Sendable, Hashable {
    /// The SDP answer, CRLF line ends, for the `201 Created` body.
    public var answer: String
    /// The remote `a=ice-ufrag`: the second half of the USERNAME in the checks it sends us.
    public var remoteUfrag: String
    /// The remote `a=ice-pwd`.
    public var remotePassword: String
    /// The remote certificate fingerprint, `<hash function> <hex pairs>` as in `a=fingerprint`
    /// (`sha-256` chosen when several are offered); `CertificateFingerprint(sdp:)` reads it.
    public var remoteFingerprint: String
    /// True when the answer says `a=setup:passive`, so the node waits for the ClientHello.
    public var weAreDTLSServer: Bool
    /// The accepted media sections, in offer order.
    public var media: [NegotiatedMedia]

    /// A session from its fields.
    public init(
        answer: String, remoteUfrag: String, remotePassword: String, remoteFingerprint: String,
        weAreDTLSServer: Bool, media: [NegotiatedMedia]
    ) {
        self.answer = answer
        self.remoteUfrag = remoteUfrag
        self.remotePassword = remotePassword
        self.remoteFingerprint = remoteFingerprint
        self.weAreDTLSServer = weAreDTLSServer
        self.media = media
    }
}
