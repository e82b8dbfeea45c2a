/// An `application/trickle-ice-sdpfrag` body (RFC 8840 §9): ICE credentials and candidates
/// trickled after the offer, as WHIP and WHEP clients send them in HTTP PATCH
/// (RFC 9725 §4.3.1).
///
/// It is a slice of SDP with only `a=` and `m=` lines: session-level attributes such as
/// `a=ice-ufrag`, `a=ice-pwd`, `a=ice-options` and `a=group:BUNDLE`, then media sections, each
/// an `m=` line with `a=mid`, `a=candidate` lines and possibly `a=end-of-candidates`.
public struct TrickleICEFragment: Hashable, Sendable, SDPAttributeCarrying {
    /// One `m=` line of the fragment and the attributes under it.
    public struct Section: Hashable, Sendable, SDPAttributeCarrying {
        /// The `m=` line, repeating the one in the offer so the section can be matched.
        public var mediaLine: MediaLine
        /// The `a=` lines in order: `a=mid`, candidates, end-of-candidates, maybe credentials.
        public var attributes: [SDPAttribute]

        /// A section from its media line and attributes.
        public init(mediaLine: MediaLine, attributes: [SDPAttribute]) {
            self.mediaLine = mediaLine
            self.attributes = attributes
        }
    }

    /// The attributes before the first `m=` line.
    public var attributes: [SDPAttribute]
    /// The media sections in order.
    public var sections: [Section]

    /// A fragment from its parts.
    public init(attributes: [SDPAttribute] = [], sections: [Section] = []) {
        self.attributes = attributes
        self.sections = sections
    }

    /// Parses fragment text. Lines may end in CRLF or bare LF.
    public init(parsing text: String) throws(SDPParseError) {
        try self.init(parsing: text.utf8)
    }

    /// Parses fragment bytes (UTF-8). Lines may end in CRLF or bare LF.
    ///
    /// Throws ``SDPParseError`` naming the line when a line is not `a=` or `m=`, an attribute
    /// is malformed, or a media section has no `a=mid` (RFC 8840 §9.1 identifies each
    /// section by its mid).
    public init<Bytes: Collection<UInt8>>(parsing bytes: Bytes) throws(SDPParseError) {
        attributes = []
        sections = []
        var sectionStart = 0
        for line in try SDPLine.split(bytes) {
            if line.type == "m" { try TrickleICEFragment.requireMID(sections.last, line: sectionStart) }
            do throws(SDPValueError) {
                switch line.type {
                case "a":
                    let attribute = try SDPAttribute(lineValue: line.value)
                    if sections.isEmpty {
                        attributes.append(attribute)
                    } else {
                        sections[sections.count - 1].attributes.append(attribute)
                    }
                case "m":
                    sections.append(Section(mediaLine: try MediaLine(lineValue: line.value), attributes: []))
                    sectionStart = line.number
                default:
                    throw SDPValueError(
                        "'\(line.type)=' is not allowed in a trickle-ICE fragment, only a= and m= (RFC 8840 §9.2)")
                }
            } catch {
                throw error.at(line: line.number)
            }
        }
        try TrickleICEFragment.requireMID(sections.last, line: sectionStart)
    }

    /// Blames the `m=` line of a finished section that has no `a=mid`.
    private static func requireMID(_ section: Section?, line: Int) throws(SDPParseError) {
        guard let section, section.mid == nil else { return }
        throw SDPParseError(line: line, reason: "this media section has no a=mid (RFC 8840 §9.1)")
    }

    /// The fragment as text, each line ending in CRLF.
    public var serialized: String {
        var text = ""
        for attribute in attributes { text += attribute.line + "\r\n" }
        for section in sections {
            text += "m=\(section.mediaLine.lineValue)\r\n"
            for attribute in section.attributes { text += attribute.line + "\r\n" }
        }
        return text
    }

    /// The serialized text as UTF-8 bytes.
    public var serializedBytes: [UInt8] { Array(serialized.utf8) }

    /// The section whose `a=mid` is `mid`.
    public func section(withMID mid: String) -> Section? {
        sections.first { $0.mid == mid }
    }
}
