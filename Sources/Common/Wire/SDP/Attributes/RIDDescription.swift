/// `a=rid`: one RTP stream identifier and its restrictions (RFC 8851 §4).
///
/// `a=rid:h send pt=96;max-width=1280` declares RID `h`, sent, payload type 96 only, at most
/// 1280 pixels wide.
public struct RIDDescription: Hashable, Sendable {
    /// Whether the RID describes a stream sent or received by the SDP's author.
    public enum Direction: String, Hashable, Sendable {
        /// The author sends this stream.
        case send
        /// The author receives this stream.
        case receive = "recv"
    }

    /// One `name=value` restriction, such as `max-width=1280` or `pt=96,97`.
    public struct Restriction: Hashable, Sendable {
        /// The restriction name, such as `pt`, `max-width`, `max-fps`, `max-br`.
        public var name: String
        /// The value after `=`, if any.
        public var value: String?

        /// A restriction from its name and value.
        public init(name: String, value: String? = nil) {
            self.name = name
            self.value = value
        }
    }

    /// The RID, as carried in the RTP `rtp-stream-id` header extension.
    public var id: String
    /// Sent or received.
    public var direction: Direction
    /// The restrictions in the order written.
    public var restrictions: [Restriction]

    /// A RID description from its fields.
    public init(id: String, direction: Direction, restrictions: [Restriction] = []) {
        self.id = id
        self.direction = direction
        self.restrictions = restrictions
    }

    /// The payload types allowed by `pt=`; empty means every format of the media section.
    public var payloadTypes: [UInt8] {
        guard let list = restrictions.first(where: { $0.name == "pt" })?.value else { return [] }
        return list.split(separator: ",").compactMap { UInt8($0) }
    }

    /// The value of the first restriction called `name`.
    public subscript(name: String) -> String? {
        restrictions.first { $0.name == name }?.value
    }

    init(attributeValue: Substring) throws(SDPValueError) {
        let parts = SDPText.fields(attributeValue)
        guard parts.count == 2 || parts.count == 3 else {
            throw SDPValueError("a=rid needs '<rid-id> <send|recv> [<restrictions>]' (RFC 8851 §10)")
        }
        id = String(parts[0])
        guard let direction = Direction(rawValue: String(parts[1])) else {
            throw SDPValueError("a=rid direction '\(parts[1])' is not send or recv (RFC 8851 §10)")
        }
        self.direction = direction
        restrictions = []
        guard parts.count == 3 else { return }
        for entry in parts[2].split(separator: ";") {
            let (name, value) = SDPText.splitOnce(entry, at: "=")
            if name == "pt" {
                // rid-pt-param-list: pt=<fmt>*(,<fmt>) (RFC 8851 §10).
                for format in (value ?? "").split(separator: ",", omittingEmptySubsequences: false) {
                    _ = try SDPText.payloadType(format)
                }
            }
            restrictions.append(Restriction(name: String(name), value: value.map(String.init)))
        }
    }

    var attributeValue: String {
        var text = "\(id) \(direction.rawValue)"
        if !restrictions.isEmpty {
            text +=
                " "
                + restrictions.map { restriction in
                    restriction.value.map { "\(restriction.name)=\($0)" } ?? restriction.name
                }.joined(separator: ";")
        }
        return text
    }
}
