/// One accepted media section, as the media engine needs it.
public struct NegotiatedMedia: Sendable, Hashable {
    /// The section's `a=mid`, echoed in the answer.
    public var mid: String
    /// Audio or video.
    public var kind: MediaKind
    /// The accepted codecs, the node's preferred first.
    public var codecs: [NegotiatedCodec]
    /// The header extension IDs in use on this section.
    public var extensions: HeaderExtensionMap
    /// Publisher: the RIDs we receive, in the order of the offer's `a=simulcast:send`, paused
    /// (`~`) ones left out; empty without simulcast.
    public var simulcastRIDs: [String]
    /// The remote side's media SSRC from `a=ssrc` (the first of `a=ssrc-group:FID`), if signalled.
    public var remoteSSRC: UInt32?
    /// The remote side's RTX SSRC, the second of `a=ssrc-group:FID`, if signalled.
    public var remoteRTXSSRC: UInt32?
    /// Viewer: the SSRC the node sends media with.
    public var localSSRC: UInt32?
    /// Viewer: the SSRC the node sends retransmissions with, when RTX was negotiated.
    public var localRTXSSRC: UInt32?

    /// A media description from its fields.
    public init(
        mid: String, kind: MediaKind, codecs: [NegotiatedCodec], extensions: HeaderExtensionMap,
        simulcastRIDs: [String] = [], remoteSSRC: UInt32? = nil, remoteRTXSSRC: UInt32? = nil,
        localSSRC: UInt32? = nil, localRTXSSRC: UInt32? = nil
    ) {
        self.mid = mid
        self.kind = kind
        self.codecs = codecs
        self.extensions = extensions
        self.simulcastRIDs = simulcastRIDs
        self.remoteSSRC = remoteSSRC
        self.remoteRTXSSRC = remoteRTXSSRC
        self.localSSRC = localSSRC
        self.localRTXSSRC = localRTXSSRC
    }

    /// The codec with payload type `payloadType`.
    public func codec(payloadType: UInt8) -> NegotiatedCodec? {
        codecs.first { $0.payloadType == payloadType }
    }
}
