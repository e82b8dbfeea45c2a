/// `a=ssrc`: a property of one RTP source (RFC 5576 §4.1).
///
/// `a=ssrc:1001 cname:user@example` gives SSRC 1001 the attribute `cname`.
public struct SSRCAttribute: Hashable, Sendable {
    /// The synchronization source.
    public var ssrc: UInt32
    /// The source attribute name, such as `cname` or `msid`.
    public var name: String
    /// The text after the first `:`, if any (may contain spaces, as `msid` values do).
    public var value: String?

    /// A source attribute from its fields.
    public init(ssrc: UInt32, name: String, value: String? = nil) {
        self.ssrc = ssrc
        self.name = name
        self.value = value
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let (ssrcText, rest) = SDPText.splitOnce(SDPText.trimmed(attributeValue), at: " ")
        ssrc = try SDPText.number(ssrcText, "a=ssrc SSRC")
        let (name, value) = SDPText.splitOnce(SDPText.trimmed(rest ?? ""), at: ":")
        guard !name.isEmpty else {
            throw SDPValueError("a=ssrc has no source attribute after the SSRC (RFC 5576 §4.1)")
        }
        self.name = String(name)
        self.value = value.map(String.init)
    }

    var attributeValue: String {
        "\(ssrc) \(name)" + (value.map { ":\($0)" } ?? "")
    }
}

/// `a=ssrc-group`: SSRCs that belong together, such as `FID` (RTX) or `SIM` (RFC 5576 §4.2).
public struct SSRCGroup: Hashable, Sendable {
    /// The semantics, such as `FID`, `SIM`, `FEC-FR`.
    public var semantics: String
    /// The SSRCs in order (for `FID`: primary then retransmission).
    public var ssrcs: [UInt32]

    /// A group from its semantics and members.
    public init(semantics: String, ssrcs: [UInt32]) {
        self.semantics = semantics
        self.ssrcs = ssrcs
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard let semantics = parts.first, parts.count >= 2 else {
            throw SDPValueError("a=ssrc-group needs '<semantics> <ssrc>...' (RFC 5576 §4.2)")
        }
        self.semantics = String(semantics)
        ssrcs = []
        for text in parts.dropFirst() {
            ssrcs.append(try SDPText.number(text, "a=ssrc-group SSRC"))
        }
    }

    var attributeValue: String {
        ([semantics] + ssrcs.map { "\($0)" }).joined(separator: " ")
    }
}
