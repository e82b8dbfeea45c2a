/// Why an offer (or an ICE restart fragment) cannot be answered. Each description is a sentence
/// fit for the body of an HTTP 400; what it repeats from the offer is cut to
/// ``ErrorEcho/echoBytes``.
public enum NegotiationError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The text is not valid SDP; carries the parser's `line N: reason`.
    case malformed(String)
    /// No `a=ice-ufrag` and `a=ice-pwd` at session or media level.
    case missingICECredentials
    /// `a=ice-ufrag` or `a=ice-pwd` breaks RFC 8839 §5.4; says which and how.
    case invalidICECredentials(String)
    /// No `a=fingerprint`.
    case missingFingerprint
    /// `a=setup:holdconn`, which leaves no DTLS role to take.
    case unsupportedSetup
    /// The media section at this 1-based position has no `a=mid`.
    case missingMID(Int)
    /// The media section with this mid is not in the offer's BUNDLE group (or the offer has
    /// several media sections and no BUNDLE group).
    case notBundled(String)
    /// The offer has no `a=rtcp-mux`.
    case missingRTCPMux
    /// No media section offers a codec the node forwards; says what was offered.
    case noUsableCodec(String)
    /// A media section's direction does not fit the role; says which and why.
    case wrongDirection(String)
    /// `makeSSRC` kept returning SSRCs already in use in this session.
    case ssrcCollision
    /// The offer asks for more media sections or simulcast layers than ``OfferLimits`` allow;
    /// says how many and the limit.
    case tooManyTracks(String)

    /// A sentence naming what is wrong and the rule it breaks.
    public var description: String {
        switch self {
        case .malformed(let detail):
            "The SDP is malformed at \(ErrorEcho.echoed(detail))."
        case .missingICECredentials:
            "The SDP offer has no a=ice-ufrag and a=ice-pwd (RFC 8839 §5.4), which ICE connectivity checks need."
        case .invalidICECredentials(let detail):
            "The SDP offer's ICE credentials are invalid: \(ErrorEcho.echoed(detail)) (RFC 8839 §5.4)."
        case .missingFingerprint:
            "The SDP offer has no a=fingerprint (RFC 8122 §5), which DTLS-SRTP needs to authenticate the peer."
        case .unsupportedSetup:
            "The SDP offer says a=setup:holdconn; an offer must say actpass (RFC 8842 §5.2)."
        case .missingMID(let position):
            "Media section \(position) of the SDP offer has no a=mid (RFC 5888 §4), which BUNDLE needs to name it."
        case .notBundled(let mid):
            "Media section '\(ErrorEcho.echoed(mid))' is not in the offer's a=group:BUNDLE; this server carries every media section of a session on one transport (RFC 9143)."
        case .missingRTCPMux:
            "The SDP offer has no a=rtcp-mux; this server sends RTP and RTCP on one port (RFC 5761 §5.1.1)."
        case .noUsableCodec(let offered):
            "No media section of the SDP offer has a codec this server forwards: \(offered)."
        case .wrongDirection(let detail):
            ErrorEcho.capped(detail)
        case .ssrcCollision:
            "The server could not pick sending SSRCs distinct from the ones in the offer; please retry."
        case .tooManyTracks(let detail):
            "Too many tracks: \(detail)."
        }
    }

    /// The engine-contract error this maps to: `noUsableCodec` stays itself, the rest are bad offers.
    public var sessionRequestError: SessionRequestError {
        switch self {
        case .noUsableCodec(let offered): .noUsableCodec(offered)
        default: .badOffer(description)
        }
    }
}
