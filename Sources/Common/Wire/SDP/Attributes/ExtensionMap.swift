/// `a=extmap`: an RTP header extension and the local ID it uses (RFC 8285 §8).
///
/// `a=extmap:4/sendonly urn:ietf:params:rtp-hdrext:sdes:mid` maps ID 4, send only.
public struct ExtensionMap: Hashable, Sendable {
    /// The extension ID carried in packets: 1–14 one-byte, up to 255 two-byte (RFC 8285 §5).
    public var id: UInt16
    /// The direction, when restricted.
    public var direction: MediaDirection?
    /// The URI naming the extension.
    public var uri: String
    /// Extension-specific attributes after the URI, as written.
    public var extensionAttributes: String?

    /// A mapping from its fields.
    public init(id: UInt16, direction: MediaDirection? = nil, uri: String, extensionAttributes: String? = nil) {
        self.id = id
        self.direction = direction
        self.uri = uri
        self.extensionAttributes = extensionAttributes
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let (head, rest) = SDPText.splitOnce(SDPText.trimmed(attributeValue), at: " ")
        let (idText, directionText) = SDPText.splitOnce(head, at: "/")
        id = try SDPText.number(idText, "a=extmap ID")
        if let directionText {
            guard let direction = MediaDirection(rawValue: String(directionText)) else {
                throw SDPValueError(
                    "a=extmap direction '\(directionText)' is not sendrecv, sendonly, recvonly or inactive (RFC 8285 §8)"
                )
            }
            self.direction = direction
        } else {
            direction = nil
        }
        let (uri, attributes) = SDPText.splitOnce(SDPText.trimmed(rest ?? ""), at: " ")
        guard !uri.isEmpty else {
            throw SDPValueError("a=extmap has no extension URI (RFC 8285 §8)")
        }
        self.uri = String(uri)
        let trimmedAttributes = attributes.map(SDPText.trimmed)
        extensionAttributes = trimmedAttributes.flatMap { $0.isEmpty ? nil : String($0) }
    }

    var attributeValue: String {
        var text = "\(id)"
        if let direction { text += "/\(direction.rawValue)" }
        text += " \(uri)"
        if let extensionAttributes { text += " \(extensionAttributes)" }
        return text
    }
}
