import Synchronization

/// One track a ``StreamTap`` delivers: what a recorder needs to describe it in a file.
public struct TappedTrack: Sendable, Equatable {
    /// Audio or video.
    public let kind: MediaKind
    /// The codec.
    public let codec: CodecKind
    /// The RTP clock rate in Hz.
    public let clockRate: UInt32
    /// Opus channels (2), 1 for video.
    public let channels: Int
    /// The mesh SSRC of the layer delivered (at the start, for a track that follows the top).
    public let ssrc: UInt32
    /// The index of the layer delivered (at the start, for a track that follows the top).
    public let layer: Int
    /// The rids of the track's layers, by index (one empty rid without simulcast).
    public let rids: [String]
    /// Whether the track follows the best live layer (``TapBreak/layerSwitch``) rather than
    /// keeping ``layer``.
    public let followsTop: Bool

    /// Describes a tapped track.
    public init(
        kind: MediaKind, codec: CodecKind, clockRate: UInt32, channels: Int, ssrc: UInt32, layer: Int = 0,
        rids: [String] = [""], followsTop: Bool = false
    ) {
        self.kind = kind
        self.codec = codec
        self.clockRate = clockRate
        self.channels = channels
        self.ssrc = ssrc
        self.layer = layer
        self.rids = rids
        self.followsTop = followsTop
    }

    /// The rid of `layer`; nil without simulcast (one layer with no rid).
    public func rid(of layer: Int) -> String? {
        guard rids.indices.contains(layer), !rids[layer].isEmpty else { return nil }
        return rids[layer]
    }
}

/// Why a tapped packet does not follow on from the one before it on its track.
public enum TapBreak: UInt8, Sendable {
    /// It follows on.
    case none
    /// Packets before it were given up for lost, or dropped by a full ring.
    case loss
    /// A relay link took over feeding the stream from another one (failover, repath).
    case linkMove
    /// The stream's tracks were rebuilt: its publisher came back with other tracks.
    case publisherChange
    /// The track moved to another simulcast layer (the best live one), at that layer's key
    /// frame: another SSRC, sequence numbering, RTP timeline and picture size from here on.
    case layerSwitch
}

/// One packet taken out of a ``StreamTap``: the RTP packet (header and payload, as every hop
/// stores it) and what came with it. The bytes are valid only inside ``StreamTap/drain(_:)``.
public struct TappedPacket {
    /// Index into ``StreamTap/tracks``.
    public let track: Int
    /// The simulcast layer (index in its track) the packet belongs to.
    public let layer: Int
    /// The whole RTP packet.
    public let bytes: UnsafeRawBufferPointer
    /// Arrival on the node, nanoseconds on the NTP timescale (``StreamTap`` converts the
    /// engine's monotonic clock once).
    public let arrival: Int64
    /// The publisher's last sender report for the layer (NTP, RTP timestamp), 0/0 before one.
    public let senderReportNTP: UInt64
    /// The RTP timestamp of ``senderReportNTP``.
    public let senderReportRTP: UInt32
    /// Why the packets before this one are not its predecessors, if they are not.
    public let breakReason: TapBreak

    /// True when packets before this one were given up for lost or the feed broke
    /// (another link, a new publisher).
    public var followsGap: Bool { breakReason != .none }
}

/// A stream's packets handed out of the data plane in sequence order, for a consumer that is
/// not a network peer (a recorder): the tap's consumers on a worker put each track's packets,
/// reordered through the layer's history, into one fixed ring; another thread drains it.
///
/// The ring is allocated once; the worker copies each packet into a free slot (no allocation),
/// the drainer reads the filled slots outside the lock and frees them after. A full ring (the
/// drainer stalled) drops packets and counts them: the data plane never waits for a disk.
public final class StreamTap: @unchecked Sendable {
    /// The stream tapped.
    public let stream: String
    /// The tracks delivered, in the stream's order.
    public let tracks: [TappedTrack]

    struct Slot {
        var track: Int = 0
        var layer: Int = 0
        var length: Int = 0
        var arrival: Int64 = 0
        var ntp: UInt64 = 0
        var rtp: UInt32 = 0
        var breakReason = TapBreak.none
    }

    private struct Ring {
        var head = 0
        var count = 0
        var dropped = 0
        var ended = false
    }

    let capacity: Int
    let slotSize: Int
    private let memory: UnsafeMutableRawPointer
    private let slots: UnsafeMutablePointer<Slot>
    private let ring = Mutex(Ring())
    /// Added to the engine's monotonic nanoseconds to get NTP-scale nanoseconds.
    let wallOffset: Int64
    /// Counts ``requestKeyframe()`` calls; each video consumer passes a new count upstream for
    /// its layer, so every video track and layer (``RecordingLayers/all``) is asked, not one.
    let keyframeRequests = Atomic<UInt32>(0)

    init(stream: String, tracks: [TappedTrack], capacity: Int, slotSize: Int, wallOffset: Int64) {
        self.stream = stream
        self.tracks = tracks
        self.capacity = max(capacity, 16)
        self.slotSize = slotSize
        self.wallOffset = wallOffset
        memory = .allocate(byteCount: self.capacity * slotSize, alignment: 16)
        slots = .allocate(capacity: self.capacity)
        slots.initialize(repeating: Slot(), count: self.capacity)
    }

    deinit {
        slots.deinitialize(count: capacity)
        slots.deallocate()
        memory.deallocate()
    }

    /// Packets dropped because the ring was full.
    public var dropped: Int { ring.withLock { $0.dropped } }

    /// Whether the data plane stopped feeding the tap (``MediaEngine/removeTap(_:)``).
    public var isEnded: Bool { ring.withLock { $0.ended } }

    /// What ``push(_:)`` did.
    enum PushOutcome {
        /// The packet is in the ring.
        case stored
        /// `fill` had nothing to store.
        case missing
        /// The ring was full: the packet is dropped (and counted).
        case full
    }

    /// Worker side (one thread): `fill` writes a packet into a free slot's bytes and describes
    /// it, or returns nil when there is nothing to store.
    func push(_ fill: (UnsafeMutableRawBufferPointer) -> Slot?) -> PushOutcome {
        let index: Int? = ring.withLock { ring in
            guard ring.count < capacity else {
                ring.dropped += 1
                return nil
            }
            return (ring.head + ring.count) % capacity
        }
        guard let index else { return .full }
        guard let slot = fill(UnsafeMutableRawBufferPointer(start: memory + index * slotSize, count: slotSize)) else {
            return .missing
        }
        slots[index] = slot
        ring.withLock { $0.count += 1 }
        return .stored
    }

    /// Asks the publisher for a key frame of the tapped video (merged and rate-limited
    /// upstream like a viewer's PLI): a recorder about to cut a segment wants one soon.
    public func requestKeyframe() {
        keyframeRequests.add(1, ordering: .relaxed)
    }

    /// Marks the tap ended; a drainer finishes what is in the ring and stops.
    func end() {
        ring.withLock { $0.ended = true }
    }

    /// Drainer side (one thread): hands every packet in the ring to `body`, oldest first, and
    /// frees their slots. Returns how many were handed out.
    @discardableResult
    public func drain(_ body: (TappedPacket) -> Void) -> Int {
        let (head, count) = ring.withLock { ($0.head, $0.count) }
        for step in 0..<count {
            let index = (head + step) % capacity
            let slot = slots[index]
            body(
                TappedPacket(
                    track: slot.track, layer: slot.layer,
                    bytes: UnsafeRawBufferPointer(start: memory + index * slotSize, count: slot.length),
                    arrival: slot.arrival, senderReportNTP: slot.ntp, senderReportRTP: slot.rtp,
                    breakReason: slot.breakReason))
        }
        ring.withLock { ring in
            ring.head = (ring.head + count) % capacity
            ring.count -= count
        }
        return count
    }
}
