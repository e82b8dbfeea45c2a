/// `a=rtcp-fb`: an RTCP feedback message a payload type supports (RFC 4585 §4.2).
///
/// `a=rtcp-fb:96 nack pli` has type `nack` and parameter `pli`.
public struct RTCPFeedback: Hashable, Sendable {
    /// Which payload types the feedback applies to.
    public enum Formats: Hashable, Sendable {
        /// `*`: every payload type of the media section.
        case all
        /// One payload type.
        case payloadType(UInt8)
    }

    /// The payload types covered.
    public var formats: Formats
    /// The feedback type, such as `nack`, `ccm`, `goog-remb`, `transport-cc`.
    public var type: String
    /// The rest of the line, such as `pli` or `fir`, if any.
    public var parameter: String?

    /// A feedback line from its fields.
    public init(formats: Formats, type: String, parameter: String? = nil) {
        self.formats = formats
        self.type = type
        self.parameter = parameter
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let (format, rest) = SDPText.splitOnce(SDPText.trimmed(attributeValue), at: " ")
        formats = format == "*" ? .all : .payloadType(try SDPText.payloadType(format))
        let (type, parameter) = SDPText.splitOnce(SDPText.trimmed(rest ?? ""), at: " ")
        guard !type.isEmpty else {
            throw SDPValueError("a=rtcp-fb has no feedback type after the payload type (RFC 4585 §4.2)")
        }
        self.type = String(type)
        let trimmedParameter = parameter.map(SDPText.trimmed)
        self.parameter = trimmedParameter.flatMap { $0.isEmpty ? nil : String($0) }
    }

    var attributeValue: String {
        var text: String
        switch formats {
        case .all: text = "*"
        case .payloadType(let payloadType): text = "\(payloadType)"
        }
        text += " \(type)"
        if let parameter { text += " \(parameter)" }
        return text
    }
}
