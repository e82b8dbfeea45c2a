/// One `a=` line, typed when this module knows the attribute and verbatim when it does not.
///
/// Attributes stay in a list, in the order written, so serializing puts every line back where
/// it was. Known attributes are re-written in their canonical spelling; unknown ones
/// (`.other`) are written back byte for byte.
public enum SDPAttribute: Hashable, Sendable {
    /// `a=group:BUNDLE 0 1` (RFC 5888, RFC 9143).
    case group(SDPGroup)
    /// `a=msid-semantic: WMS *`.
    case msidSemantic(MSIDSemantic)
    /// `a=extmap-allow-mixed`: one- and two-byte header extensions may be mixed (RFC 8285 §6).
    case extmapAllowMixed
    /// `a=ice-ufrag` (RFC 8839 §5.4).
    case iceUfrag(String)
    /// `a=ice-pwd` (RFC 8839 §5.4).
    case icePwd(String)
    /// `a=ice-options:trickle ice2` (RFC 8839 §5.6).
    case iceOptions([String])
    /// `a=ice-lite` (RFC 8839 §5.3).
    case iceLite
    /// `a=fingerprint` (RFC 8122 §5).
    case fingerprint(Fingerprint)
    /// `a=setup` (RFC 4145 §4).
    case setup(SetupRole)
    /// `a=mid`: the media section's identification tag (RFC 5888 §4).
    case mid(String)
    /// `a=msid` (RFC 8830 §2).
    case msid(MediaStreamID)
    /// `a=sendrecv`, `a=sendonly`, `a=recvonly`, `a=inactive` (RFC 8866 §6.7).
    case direction(MediaDirection)
    /// `a=rtpmap` (RFC 8866 §6.6).
    case rtpMap(RTPMap)
    /// `a=fmtp` (RFC 8866 §6.15).
    case formatParameters(FormatParameters)
    /// `a=rtcp-fb` (RFC 4585 §4.2).
    case rtcpFeedback(RTCPFeedback)
    /// `a=extmap` (RFC 8285 §8).
    case extensionMap(ExtensionMap)
    /// `a=ssrc` (RFC 5576 §4.1).
    case ssrc(SSRCAttribute)
    /// `a=ssrc-group` (RFC 5576 §4.2).
    case ssrcGroup(SSRCGroup)
    /// `a=rid` (RFC 8851 §4).
    case rid(RIDDescription)
    /// `a=simulcast` (RFC 8853 §5.1).
    case simulcast(Simulcast)
    /// `a=candidate` (RFC 8839 §5.1).
    case candidate(ICECandidate)
    /// `a=end-of-candidates` (RFC 8840 §8.2).
    case endOfCandidates
    /// `a=rtcp-mux`: RTP and RTCP share a port (RFC 5761 §5.1.1).
    case rtcpMux
    /// `a=rtcp-mux-only` (RFC 8858 §3).
    case rtcpMuxOnly
    /// `a=rtcp-rsize`: reduced-size RTCP is allowed (RFC 5506 §5).
    case rtcpReducedSize
    /// `a=rtcp` (RFC 3605 §2.1).
    case rtcp(RTCPAddress)
    /// `a=bundle-only` (RFC 9143 §6).
    case bundleOnly
    /// `a=sctp-port` (RFC 8841 §5).
    case sctpPort(UInt16)
    /// `a=max-message-size`, 0 meaning no limit (RFC 8841 §6).
    case maxMessageSize(UInt64)
    /// Any other attribute: its name and the text after the first `:` (nil for a flag).
    case other(name: String, value: String?)

    /// The attribute name, as written before the `:`.
    public var name: String {
        switch self {
        case .group: "group"
        case .msidSemantic: "msid-semantic"
        case .extmapAllowMixed: "extmap-allow-mixed"
        case .iceUfrag: "ice-ufrag"
        case .icePwd: "ice-pwd"
        case .iceOptions: "ice-options"
        case .iceLite: "ice-lite"
        case .fingerprint: "fingerprint"
        case .setup: "setup"
        case .mid: "mid"
        case .msid: "msid"
        case .direction(let direction): direction.rawValue
        case .rtpMap: "rtpmap"
        case .formatParameters: "fmtp"
        case .rtcpFeedback: "rtcp-fb"
        case .extensionMap: "extmap"
        case .ssrc: "ssrc"
        case .ssrcGroup: "ssrc-group"
        case .rid: "rid"
        case .simulcast: "simulcast"
        case .candidate: "candidate"
        case .endOfCandidates: "end-of-candidates"
        case .rtcpMux: "rtcp-mux"
        case .rtcpMuxOnly: "rtcp-mux-only"
        case .rtcpReducedSize: "rtcp-rsize"
        case .rtcp: "rtcp"
        case .bundleOnly: "bundle-only"
        case .sctpPort: "sctp-port"
        case .maxMessageSize: "max-message-size"
        case .other(let name, _): name
        }
    }

    /// The text after `name:`, or nil for a flag attribute.
    public var value: String? {
        switch self {
        case .group(let group): group.attributeValue
        case .msidSemantic(let semantic): semantic.attributeValue
        case .iceUfrag(let text), .icePwd(let text), .mid(let text): text
        case .iceOptions(let options): options.joined(separator: " ")
        case .fingerprint(let fingerprint): fingerprint.attributeValue
        case .setup(let role): role.rawValue
        case .msid(let msid): msid.attributeValue
        case .rtpMap(let map): map.attributeValue
        case .formatParameters(let parameters): parameters.attributeValue
        case .rtcpFeedback(let feedback): feedback.attributeValue
        case .extensionMap(let map): map.attributeValue
        case .ssrc(let attribute): attribute.attributeValue
        case .ssrcGroup(let group): group.attributeValue
        case .rid(let rid): rid.attributeValue
        case .simulcast(let simulcast): simulcast.attributeValue
        case .candidate(let candidate): candidate.attributeValue
        case .rtcp(let address): address.attributeValue
        case .sctpPort(let port): "\(port)"
        case .maxMessageSize(let size): "\(size)"
        case .other(_, let value): value
        case .extmapAllowMixed, .iceLite, .direction, .endOfCandidates, .rtcpMux, .rtcpMuxOnly,
            .rtcpReducedSize, .bundleOnly:
            nil
        }
    }

    /// The whole line without its line break: `a=name` or `a=name:value`.
    public var line: String {
        value.map { "a=\(name):\($0)" } ?? "a=\(name)"
    }
}
