/// One media section: the `m=` line and the lines up to the next `m=` (RFC 8866 §5.14).
public struct MediaDescription: Hashable, Sendable, SDPAttributeCarrying {
    /// The `m=` line.
    public var mediaLine: MediaLine
    /// `i=` media title, verbatim.
    public var information: String?
    /// `c=` lines (more than one only for layered multicast).
    public var connections: [SDPConnection]
    /// `b=` lines.
    public var bandwidths: [SDPBandwidth]
    /// `k=` line, verbatim (obsolete, RFC 8866 §5.12).
    public var encryptionKey: String?
    /// The `a=` lines in order.
    public var attributes: [SDPAttribute]

    /// A media section from its parts.
    public init(
        mediaLine: MediaLine, information: String? = nil, connections: [SDPConnection] = [],
        bandwidths: [SDPBandwidth] = [], encryptionKey: String? = nil, attributes: [SDPAttribute] = []
    ) {
        self.mediaLine = mediaLine
        self.information = information
        self.connections = connections
        self.bandwidths = bandwidths
        self.encryptionKey = encryptionKey
        self.attributes = attributes
    }
}
