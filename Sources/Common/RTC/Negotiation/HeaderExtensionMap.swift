import MeshWire

/// The RTP header extension IDs negotiated for one media section (RFC 8285 §8), `nil` when an
/// extension was not offered or not accepted. The engine reads and writes extensions by these IDs.
public struct HeaderExtensionMap: Sendable, Hashable {
    /// `urn:ietf:params:rtp-hdrext:sdes:mid` (RFC 9143 §15.1).
    public var mid: UInt8?
    /// `urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id` (RFC 8852 §3.1).
    public var rid: UInt8?
    /// `urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id` (RFC 8852 §3.2).
    public var repairedRID: UInt8?
    /// `http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time`.
    public var absSendTime: UInt8?
    /// `http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01`.
    public var transportCC: UInt8?
    /// `urn:ietf:params:rtp-hdrext:ssrc-audio-level` (RFC 6464 §4).
    public var audioLevel: UInt8?
    /// `http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time`: the publisher's capture
    /// time, which the SFU passes on to viewers so they can measure end-to-end latency.
    public var absCaptureTime: UInt8?

    /// A map with the given IDs; none by default.
    public init(
        mid: UInt8? = nil, rid: UInt8? = nil, repairedRID: UInt8? = nil, absSendTime: UInt8? = nil,
        transportCC: UInt8? = nil, audioLevel: UInt8? = nil, absCaptureTime: UInt8? = nil
    ) {
        self.mid = mid
        self.rid = rid
        self.repairedRID = repairedRID
        self.absSendTime = absSendTime
        self.transportCC = transportCC
        self.audioLevel = audioLevel
        self.absCaptureTime = absCaptureTime
    }

    /// The extension URIs, one per field.
    public enum URI {
        /// The media section's mid (RFC 9143 §15.1).
        public static let mid = "urn:ietf:params:rtp-hdrext:sdes:mid"
        /// The RTP stream ID (RFC 8852 §3.1).
        public static let rid = "urn:ietf:params:rtp-hdrext:sdes:rtp-stream-id"
        /// The RID of the stream a retransmission repairs (RFC 8852 §3.2).
        public static let repairedRID = "urn:ietf:params:rtp-hdrext:sdes:repaired-rtp-stream-id"
        /// Absolute send time, 6.18 fixed point seconds.
        public static let absSendTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-send-time"
        /// Transport-wide sequence number.
        public static let transportCC = "http://www.ietf.org/id/draft-holmer-rmcat-transport-wide-cc-extensions-01"
        /// Client-to-mixer audio level (RFC 6464).
        public static let audioLevel = "urn:ietf:params:rtp-hdrext:ssrc-audio-level"
        /// Absolute capture time: UQ32.32 NTP time of capture, optionally the capture clock's offset.
        public static let absCaptureTime = "http://www.webrtc.org/experiments/rtp-hdrext/abs-capture-time"
    }

    /// Publisher side: everything the node reads from incoming media.
    static let publisherURIs: [String] = [
        URI.mid, URI.rid, URI.repairedRID, URI.absSendTime, URI.transportCC, URI.audioLevel, URI.absCaptureTime,
    ]
    /// Viewer side: what the node writes to outgoing media (abs-capture-time copied from the
    /// publisher's packets); no transport-wide sequence numbers, since viewers are estimated from REMB.
    static let viewerURIs: [String] = [URI.mid, URI.absSendTime, URI.audioLevel, URI.absCaptureTime]

    /// Records `id` for `uri`; returns false for a URI the map has no field for or one already set.
    mutating func record(uri: String, id: UInt8) -> Bool {
        let field: WritableKeyPath<HeaderExtensionMap, UInt8?>
        switch uri {
        case URI.mid: field = \.mid
        case URI.rid: field = \.rid
        case URI.repairedRID: field = \.repairedRID
        case URI.absSendTime: field = \.absSendTime
        case URI.transportCC: field = \.transportCC
        case URI.audioLevel: field = \.audioLevel
        case URI.absCaptureTime: field = \.absCaptureTime
        default: return false
        }
        guard self[keyPath: field] == nil else { return false }
        self[keyPath: field] = id
        return true
    }
}
