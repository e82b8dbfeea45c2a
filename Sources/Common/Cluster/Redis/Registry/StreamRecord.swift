/// A live stream as the mesh knows it (`stream:{name}` in Redis): where it comes from and the
/// mesh-wide SSRC of every track, so each hop identifies a packet by SSRC alone.
public struct StreamRecord: Sendable, Equatable, Codable {
    /// The stream name from the WHIP URL.
    public var name: String
    /// The id of the origin node that terminates the publisher.
    public var originNode: String
    /// The tracks (one entry per SSRC: each simulcast layer is its own entry).
    public var tracks: [MeshTrack]
    /// Wall-clock milliseconds since 1970 when publishing started.
    public var startedAt: UInt64

    /// A record from its parts.
    public init(name: String, originNode: String, tracks: [MeshTrack], startedAt: UInt64) {
        self.name = name
        self.originNode = originNode
        self.tracks = tracks
        self.startedAt = startedAt
    }
}

/// One RTP stream of a published stream, under the SSRC its origin assigned for the whole mesh.
public struct MeshTrack: Sendable, Equatable, Codable {
    /// Audio or video.
    public enum Kind: String, Sendable, Equatable, Codable {
        /// An audio track.
        case audio
        /// A video track.
        case video
    }

    /// The track's id within the stream (its media section's mid); layers of one track share it.
    public var trackID: String
    /// Audio or video.
    public var kind: Kind
    /// The mesh-wide SSRC.
    public var ssrc: UInt32
    /// The mesh-wide SSRC of its RTX stream (RFC 4588), if any.
    public var rtxSSRC: UInt32?
    /// The codec name as in SDP `a=rtpmap` (`opus`, `VP8`, `H264`, ...).
    public var codec: String
    /// The RTP payload type on relay links.
    public var payloadType: UInt8
    /// The RTP clock rate.
    public var clockRate: Int
    /// The simulcast layer id (RFC 8851 `rid`), nil for a single-layer track.
    public var rid: String?
    /// The ID under which the track's packets carry the abs-capture-time header extension (the
    /// publisher's `a=extmap`, RFC 8285 §5), nil when the publisher did not negotiate it. Packets
    /// cross the mesh as the origin received them, so every hop finds the value under this ID.
    public var captureTimeID: UInt8?

    /// The JSON keys: the field names, but `capture_time_id` for ``captureTimeID``. Records
    /// written before it existed lack the key and decode with `nil`.
    private enum CodingKeys: String, CodingKey {
        case trackID, kind, ssrc, rtxSSRC, codec, payloadType, clockRate, rid
        case captureTimeID = "capture_time_id"
    }

    /// A track from its parts.
    public init(
        trackID: String, kind: Kind, ssrc: UInt32, rtxSSRC: UInt32? = nil, codec: String, payloadType: UInt8,
        clockRate: Int, rid: String? = nil, captureTimeID: UInt8? = nil
    ) {
        self.trackID = trackID
        self.kind = kind
        self.ssrc = ssrc
        self.rtxSSRC = rtxSSRC
        self.codec = codec
        self.payloadType = payloadType
        self.clockRate = clockRate
        self.rid = rid
        self.captureTimeID = captureTimeID
    }
}
