/// Anything with an ordered `a=` list: a session, a media section, or a trickle-ICE fragment
/// section. The typed look-ups below read that list; the list stays the source of truth.
public protocol SDPAttributeCarrying {
    /// The `a=` lines in order.
    var attributes: [SDPAttribute] { get }
}

extension SDPAttributeCarrying {
    /// `a=mid`, if present.
    public var mid: String? {
        attributes.lazy.compactMap { if case .mid(let mid) = $0 { mid } else { nil } }.first
    }

    /// The last direction attribute, if any (RFC 8866 §6.7 allows one).
    public var direction: MediaDirection? {
        attributes.compactMap { if case .direction(let direction) = $0 { direction } else { nil } }.last
    }

    /// `a=group` lines.
    public var groups: [SDPGroup] {
        attributes.compactMap { if case .group(let group) = $0 { group } else { nil } }
    }

    /// `a=ice-ufrag`, if present.
    public var iceUfrag: String? {
        attributes.lazy.compactMap { if case .iceUfrag(let text) = $0 { text } else { nil } }.first
    }

    /// `a=ice-pwd`, if present.
    public var icePwd: String? {
        attributes.lazy.compactMap { if case .icePwd(let text) = $0 { text } else { nil } }.first
    }

    /// `a=ice-options` tokens, from every such line.
    public var iceOptions: [String] {
        var options: [String] = []
        for case .iceOptions(let list) in attributes { options += list }
        return options
    }

    /// `a=fingerprint` lines.
    public var fingerprints: [Fingerprint] {
        attributes.compactMap { if case .fingerprint(let value) = $0 { value } else { nil } }
    }

    /// `a=setup`, if present.
    public var setupRole: SetupRole? {
        attributes.lazy.compactMap { if case .setup(let role) = $0 { role } else { nil } }.first
    }

    /// `a=msid` lines.
    public var msids: [MediaStreamID] {
        attributes.compactMap { if case .msid(let value) = $0 { value } else { nil } }
    }

    /// `a=rtpmap` lines.
    public var rtpMaps: [RTPMap] {
        attributes.compactMap { if case .rtpMap(let value) = $0 { value } else { nil } }
    }

    /// `a=fmtp` lines.
    public var formatParameters: [FormatParameters] {
        attributes.compactMap { if case .formatParameters(let value) = $0 { value } else { nil } }
    }

    /// `a=rtcp-fb` lines.
    public var rtcpFeedback: [RTCPFeedback] {
        attributes.compactMap { if case .rtcpFeedback(let value) = $0 { value } else { nil } }
    }

    /// `a=extmap` lines.
    public var extensionMaps: [ExtensionMap] {
        attributes.compactMap { if case .extensionMap(let value) = $0 { value } else { nil } }
    }

    /// `a=ssrc` lines.
    public var ssrcAttributes: [SSRCAttribute] {
        attributes.compactMap { if case .ssrc(let value) = $0 { value } else { nil } }
    }

    /// `a=ssrc-group` lines.
    public var ssrcGroups: [SSRCGroup] {
        attributes.compactMap { if case .ssrcGroup(let value) = $0 { value } else { nil } }
    }

    /// `a=rid` lines.
    public var rids: [RIDDescription] {
        attributes.compactMap { if case .rid(let value) = $0 { value } else { nil } }
    }

    /// `a=simulcast`, if present.
    public var simulcast: Simulcast? {
        attributes.lazy.compactMap { if case .simulcast(let value) = $0 { value } else { nil } }.first
    }

    /// `a=candidate` lines.
    public var candidates: [ICECandidate] {
        attributes.compactMap { if case .candidate(let value) = $0 { value } else { nil } }
    }

    /// Whether `a=end-of-candidates` is present.
    public var hasEndOfCandidates: Bool { attributes.contains(.endOfCandidates) }

    /// Whether `a=rtcp-mux` is present.
    public var isRTCPMuxed: Bool { attributes.contains(.rtcpMux) }

    /// The `a=rtpmap` for a payload type.
    public func rtpMap(for payloadType: UInt8) -> RTPMap? {
        rtpMaps.first { $0.payloadType == payloadType }
    }

    /// The `a=fmtp` for a payload type.
    public func formatParameters(for payloadType: UInt8) -> FormatParameters? {
        formatParameters.first { $0.payloadType == payloadType }
    }

    /// Values of unknown attributes called `name` (nil entries are flags).
    public func otherAttributes(named name: String) -> [String?] {
        var values: [String?] = []
        for case .other(name, let value) in attributes { values.append(value) }
        return values
    }
}
