/// A parsed SDP session description (RFC 8866), as carried by WebRTC offers and answers
/// (RFC 8829) and by WHIP/WHEP request and response bodies.
///
/// Parse with `init(parsing:)` from a String or from bytes; write back with
/// `serialized`. The value is `Hashable`, so a round trip can be checked with `==`.
public struct SessionDescription: Hashable, Sendable, SDPAttributeCarrying {
    /// `v=`: always 0 (RFC 8866 §5.1).
    public var version: UInt8
    /// `o=` (RFC 8866 §5.2).
    public var origin: SDPOrigin
    /// `s=`, verbatim; `-` in WebRTC (RFC 8866 §5.3).
    public var sessionName: String
    /// `i=`, verbatim.
    public var information: String?
    /// `u=`, verbatim.
    public var uri: String?
    /// `e=` lines, verbatim.
    public var emails: [String]
    /// `p=` lines, verbatim.
    public var phones: [String]
    /// `c=` at session level.
    public var connection: SDPConnection?
    /// `b=` at session level.
    public var bandwidths: [SDPBandwidth]
    /// `t=` lines with their `r=` lines.
    public var timings: [SDPTiming]
    /// `z=`, verbatim.
    public var timeZones: String?
    /// `k=`, verbatim (obsolete).
    public var encryptionKey: String?
    /// Session-level `a=` lines in order.
    public var attributes: [SDPAttribute]
    /// The media sections in order.
    public var media: [MediaDescription]

    /// A session description from its parts; WebRTC defaults for the rest.
    public init(
        version: UInt8 = 0, origin: SDPOrigin, sessionName: String = "-", information: String? = nil,
        uri: String? = nil, emails: [String] = [], phones: [String] = [], connection: SDPConnection? = nil,
        bandwidths: [SDPBandwidth] = [], timings: [SDPTiming] = [SDPTiming()], timeZones: String? = nil,
        encryptionKey: String? = nil, attributes: [SDPAttribute] = [], media: [MediaDescription] = []
    ) {
        self.version = version
        self.origin = origin
        self.sessionName = sessionName
        self.information = information
        self.uri = uri
        self.emails = emails
        self.phones = phones
        self.connection = connection
        self.bandwidths = bandwidths
        self.timings = timings
        self.timeZones = timeZones
        self.encryptionKey = encryptionKey
        self.attributes = attributes
        self.media = media
    }

    /// The media section whose `a=mid` is `mid`.
    public func media(withMID mid: String) -> MediaDescription? {
        media.first { $0.mid == mid }
    }

    /// The mids of the first `a=group:BUNDLE`, in order (RFC 9143 §7.1); empty without one.
    public var bundleMIDs: [String] {
        groups.first { $0.semantics == "BUNDLE" }?.mids ?? []
    }
}
