extension SDPAttribute {
    /// Parses the text after `a=` (RFC 8866 §5.13: `attribute = (attribute-name ":"
    /// attribute-value) / attribute-name`).
    init(lineValue: Substring) throws(SDPValueError) {
        let (nameText, rawValue) = SDPText.splitOnce(lineValue, at: ":")
        let name = String(nameText)
        guard !name.isEmpty, !name.contains(" ") else {
            throw SDPValueError("attribute name '\(name)' is empty or contains a space (RFC 8866 §5.13)")
        }
        guard let rawValue else {
            self = SDPAttribute.flag(name) ?? .other(name: name, value: nil)
            return
        }
        let value = SDPText.trimmed(rawValue)
        if SDPAttribute.flag(name) != nil {
            // A flag written with a value is not the flag this module knows; keep it verbatim.
            self = .other(name: name, value: String(rawValue))
            return
        }
        if let parsed = try SDPAttribute.valued(name, value) {
            self = parsed
        } else {
            self = .other(name: name, value: String(rawValue))
        }
    }

    private static func flag(_ name: String) -> SDPAttribute? {
        if let direction = MediaDirection(rawValue: name) { return .direction(direction) }
        switch name {
        case "extmap-allow-mixed": return .extmapAllowMixed
        case "ice-lite": return .iceLite
        case "end-of-candidates": return .endOfCandidates
        case "rtcp-mux": return .rtcpMux
        case "rtcp-mux-only": return .rtcpMuxOnly
        case "rtcp-rsize": return .rtcpReducedSize
        case "bundle-only": return .bundleOnly
        default: return nil
        }
    }

    /// The typed attribute for a known valued name, nil for an unknown name.
    private static func valued(_ name: String, _ value: Substring) throws(SDPValueError) -> SDPAttribute? {
        switch name {
        case "group": return .group(try SDPGroup(attributeValue: value))
        case "msid-semantic": return .msidSemantic(try MSIDSemantic(attributeValue: value))
        case "ice-ufrag": return .iceUfrag(try token(name, value, "RFC 8839 §5.4"))
        case "ice-pwd": return .icePwd(try token(name, value, "RFC 8839 §5.4"))
        case "ice-options":
            let options = SDPText.fields(value).map(String.init)
            guard !options.isEmpty else { throw SDPValueError("a=ice-options lists no options (RFC 8839 §5.6)") }
            return .iceOptions(options)
        case "fingerprint": return .fingerprint(try Fingerprint(attributeValue: value))
        case "setup": return .setup(try SetupRole(attributeValue: value))
        case "mid": return .mid(try token(name, value, "RFC 5888 §4"))
        case "msid": return .msid(try MediaStreamID(attributeValue: value))
        case "rtpmap": return .rtpMap(try RTPMap(attributeValue: value))
        case "fmtp": return .formatParameters(try FormatParameters(attributeValue: value))
        case "rtcp-fb": return .rtcpFeedback(try RTCPFeedback(attributeValue: value))
        case "extmap": return .extensionMap(try ExtensionMap(attributeValue: value))
        case "ssrc": return .ssrc(try SSRCAttribute(attributeValue: value))
        case "ssrc-group": return .ssrcGroup(try SSRCGroup(attributeValue: value))
        case "rid": return .rid(try RIDDescription(attributeValue: value))
        case "simulcast": return .simulcast(try Simulcast(attributeValue: value))
        case "candidate": return .candidate(try ICECandidate(attributeValue: value))
        case "rtcp": return .rtcp(try RTCPAddress(attributeValue: value))
        case "sctp-port": return .sctpPort(try SDPText.number(value, "a=sctp-port"))
        case "max-message-size": return .maxMessageSize(try SDPText.number(value, "a=max-message-size"))
        default: return nil
        }
    }

    /// A single non-empty token without spaces, as `ice-ufrag`, `ice-pwd` and `mid` are.
    private static func token(_ name: String, _ value: Substring, _ rule: String) throws(SDPValueError) -> String {
        guard !value.isEmpty, !value.contains(" ") else {
            throw SDPValueError("a=\(name) value '\(value)' must be one non-empty token (\(rule))")
        }
        return String(value)
    }
}
