import MeshWire
import Synchronization

/// One encoding of a publisher's track (a simulcast layer, or the only one), shared by every
/// worker: the publisher's worker writes, viewers' workers read.
final class PublishedLayer: @unchecked Sendable {
    /// The layer's place in its track.
    let index: Int
    /// The rid, empty without simulcast.
    let rid: String
    /// Received packets, by sequence number: the retransmission buffer and the hand-off to
    /// other workers in one.
    let history: PacketHistory
    /// The SSRC the publisher sends the layer with, once seen (0 before).
    let ssrc = Atomic<UInt32>(0)
    /// The mesh-wide SSRC (DESIGN.md "Relay links"): the packets in ``history`` carry it, on the
    /// origin (which rewrites the publisher's SSRC on ingest) as on every hop after it.
    let meshSSRC: UInt32
    /// The workers with a consumer that wants this layer now, a bit per worker index: the
    /// producer's worker hands a packet only to those (``TrackRouter``).
    let consumerWorkers = Atomic<UInt64>(0)
    /// Bits per second received over the last second.
    let bitrate = Atomic<Int>(0)
    /// The size of the layer's last key frame, packed as width << 16 | height; 0 before one.
    let dimensions = Atomic<UInt32>(0)
    /// Frames received over the last second (RTP marker bits: the last packet of a frame).
    let frameRate = Atomic<Int>(0)
    /// Frames ended this second: the producer's worker only (publisher session or relay link).
    var framesThisSecond = 0
    /// Set by any viewer's worker that needs a keyframe of this layer; the publisher's worker
    /// clears it when it sends the (merged, rate-limited) request.
    let keyframeWanted = Atomic<Bool>(false)
    /// How many times a relay link took over feeding this layer from another one (a failover
    /// or a repath; ``WorkerLinks/route(_:of:into:moved:)``), so a reader that sees the
    /// history's break can tell a link move from a loss.
    let feedMoves = Atomic<UInt32>(0)
    /// The publisher's clock from its last sender report for this layer (RFC 3550 §6.4.1),
    /// which viewers' reports translate so that audio and video stay in sync.
    let senderReport: Mutex<SenderReportClock>

    /// Folds one second's received bytes into ``bitrate``, smoothed over about four seconds: a
    /// key frame makes one second's count jump, and viewers would drop a layer for it. Called
    /// once a second by the worker feeding the layer (publisher session or relay link).
    func recordSecond(bytes: Int) {
        let sample = bytes * 8
        let previous = bitrate.load(ordering: .relaxed)
        bitrate.store(previous == 0 || sample == 0 ? sample : (previous * 3 + sample) / 4, ordering: .relaxed)
        frameRate.store(framesThisSecond, ordering: .relaxed)
        framesThisSecond = 0
    }

    /// Accounts for one received packet of the layer on the producer's worker: a frame when it
    /// carries the marker bit, and the picture size when it carries a key frame's header or an
    /// H.264 SPS. True when the size changed, so that the producer re-ranks the track's layers.
    func observe(_ packet: RTPPacketView, codec: CodecKind, keyframe: Bool) -> Bool {
        if packet.marker { framesThisSecond &+= 1 }
        guard keyframe || codec == .h264, let size = KeyframeDimensions.read(codec, payload: packet.payload) else {
            return false
        }
        let packed = UInt32(size.width) << 16 | UInt32(size.height)
        return dimensions.exchange(packed, ordering: .relaxed) != packed
    }

    /// The key frame size, `nil` before one.
    var videoDimensions: VideoDimensions? {
        let packed = dimensions.load(ordering: .relaxed)
        guard packed != 0 else { return nil }
        return VideoDimensions(width: UInt16(packed >> 16), height: UInt16(packed & 0xFFFF))
    }

    init(index: Int, rid: String, meshSSRC: UInt32, history: PacketHistory, clockRate: UInt32) {
        self.index = index
        self.meshSSRC = meshSSRC
        self.rid = rid
        self.history = history
        senderReport = Mutex(SenderReportClock(clockRate: clockRate))
    }
}

/// A publisher's track (one media section of its offer), shared by every worker.
final class PublishedTrack: @unchecked Sendable {
    /// The track's mid in the publisher's offer.
    let mid: String
    /// Audio or video.
    let kind: MediaKind
    /// The codec the publisher sends (its payload type is the publisher's numbering).
    let codec: NegotiatedCodec
    /// The encodings, in the order of the publisher's `a=simulcast` (one without simulcast).
    let layers: [PublishedLayer]
    /// ``layers`` from lowest to highest by what they carry (``LayerOrder``'s raw value): the
    /// producer's worker ranks them, viewers' workers read the ranking once a second.
    let order: Atomic<UInt32>
    /// The abs-capture-time extension ID the stored packets carry (the publisher's negotiation:
    /// packets are stored as received), `nil` when it did not negotiate one. Viewers copy the
    /// value under their own ID.
    let captureTimeID: UInt8?

    init(mid: String, kind: MediaKind, codec: NegotiatedCodec, layers: [PublishedLayer], captureTimeID: UInt8?) {
        self.mid = mid
        self.kind = kind
        self.codec = codec
        self.layers = layers
        self.captureTimeID = captureTimeID
        order = Atomic(LayerOrder.sdp(count: layers.count).rawValue)
    }
}

extension PublishedTrack {
    /// A bit for each of the track's layers.
    var allLayers: UInt64 { layers.count >= 64 ? .max : (1 << UInt64(layers.count)) - 1 }

    /// Asks the producer's worker for a key frame of `layer` (merged and rate-limited there).
    func wantKeyframe(layer: Int) {
        guard layers.indices.contains(layer) else { return }
        layers[layer].keyframeWanted.store(true, ordering: .relaxed)
    }

    /// The layers from lowest to highest.
    var layerOrder: LayerOrder { LayerOrder(rawValue: order.load(ordering: .relaxed)) }

    /// Ranks the layers by key frame size, then bitrate (``LayerOrder``); the producer's worker
    /// calls it when a layer's size changes and once a second. Logs nothing: viewers log the
    /// layer they move to.
    func rankLayers() {
        guard layers.count > 1 else { return }
        let ranked = LayerOrder.ranking(
            count: layers.count,
            pixels: { self.layers[$0].videoDimensions?.pixelCount ?? 0 },
            bitrate: { self.layers[$0].bitrate.load(ordering: .relaxed) })
        order.store(ranked.rawValue, ordering: .relaxed)
    }
}
