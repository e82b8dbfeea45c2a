/// A ``StreamTap``'s consumer of one track on a worker: it hands the tap the packets of one
/// layer in sequence order. The layer's ``PacketHistory`` is the reorder buffer: a packet that
/// arrives ahead of a missing one waits there while the link NACKs upstream; the missing one
/// is given up after ``giveUpAfter`` or when the track runs ``giveUpDistance`` packets ahead,
/// and the next packet handed out says it follows a gap, and why (``TapBreak``: a loss, a
/// relay link taking over, a publisher back with other tracks).
///
/// A video consumer that follows the top (``TappedTrack/followsTop``, `layers: top`) takes
/// every layer's packets from the router and hands out one: the best layer that is live
/// (highest ranked, ``PublishedTrack/layerOrder``, with a bitrate: a layer with none for a
/// second stopped). When that changes, it asks for a key frame of the new layer and moves to it
/// at the first packet of one (``TapBreak/layerSwitch``), never between key frames: down when
/// the publisher drops the top layer, up when a better one comes back. Worker thread only.
final class TapConsumer: TrackConsumer {
    /// How long a missing packet is waited for (a few NACK round trips on a relay link).
    static let giveUpAfter: UInt64 = 400_000_000
    /// How far the track may run ahead of a missing packet (a key frame of a few hundred packets
    /// must not be lost to waiting).
    static let giveUpDistance: Int = 512

    /// How often a consumer that follows the top looks at the layers' bitrates (measured once
    /// a second on the producer's worker).
    static let choiceInterval: UInt64 = 100_000_000
    /// How often a key frame of the layer to switch to is asked for again until one comes.
    static let switchAskInterval: UInt64 = 1_000_000_000

    let tap: StreamTap
    let trackIndex: Int
    /// The layer handed out now.
    private(set) var layer: Int
    /// Whether ``layer`` follows the best live layer.
    let followsTop: Bool
    var isLink: Bool { false }

    /// The layer to move to at its next key frame; nil when ``layer`` is the best live one.
    private(set) var switchTarget: Int?
    /// When the layers were last looked at, and a key frame of ``switchTarget`` last asked for.
    private var lastChoice: UInt64 = 0
    private var lastSwitchAsk: UInt64 = 0
    /// ``StreamTap/keyframeRequests`` as last passed upstream.
    private var answeredRequests: UInt32 = 0

    /// The next sequence number to hand out; nil before the first packet (or after a break).
    private var next: UInt16?
    /// The newest sequence number routed to this consumer.
    private var newest: UInt16 = 0
    /// When the packet at ``next`` was first found missing (0: not missing).
    private var missingSince: UInt64 = 0
    /// Why the next packet handed out follows a break; `.none`: it follows on.
    private var pendingBreak: TapBreak
    private var generation: UInt32 = 0
    /// The layer's ``PublishedLayer/feedMoves`` when last looked at; nil before the first packet.
    private var feedMoves: UInt32?

    /// `startingBreak`: why the first packet does not follow on from what the tap had before
    /// (`.publisherChange` for a consumer that replaces one on rebuilt tracks).
    init(tap: StreamTap, trackIndex: Int, layer: Int, followsTop: Bool = false, startingBreak: TapBreak = .none) {
        self.tap = tap
        self.trackIndex = trackIndex
        self.layer = layer
        self.followsTop = followsTop
        pendingBreak = startingBreak
        answeredRequests = tap.keyframeRequests.load(ordering: .relaxed)
    }

    /// The layers to take from the router: all of them when following the top.
    func wantedLayers(of track: PublishedTrack) -> UInt64 {
        followsTop ? track.allLayers : 1 << UInt64(layer)
    }

    func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter) {
        let output = router.output
        guard track.layers.indices.contains(layer) else { return }
        if track.kind == .video {
            let requests = tap.keyframeRequests.load(ordering: .relaxed)
            if requests != answeredRequests {
                answeredRequests = requests
                track.wantKeyframe(layer: self.layer)
            }
        }
        if followsTop, now &- lastChoice >= Self.choiceInterval {
            lastChoice = now
            chooseLayer(track, now: now)
        }
        if layer != self.layer {
            guard layer == switchTarget, track.layers[layer].history.isKeyframeStart(sequence: sequence) == true else {
                return
            }
            switchLayer(to: layer, at: sequence, track: track, now: now)
            return
        }
        let shared = track.layers[layer]
        let generation = shared.history.generation
        // Read after the generation: a move is counted before the break it causes.
        let moves = shared.feedMoves.load(ordering: .relaxed)
        let moved = feedMoves.map { $0 != moves } ?? false
        feedMoves = moves
        if generation != self.generation {
            self.generation = generation
            if next != nil { resynchronize(moved ? .linkMove : .loss) }
        }
        guard let start = next else {
            newest = sequence
            next = startingPoint(sequence, track: track, shared: shared, output: output)
            drain(track, shared: shared, now: now)
            return
        }
        if Int16(bitPattern: sequence &- newest) > 0 { newest = sequence }
        // A late packet that was already given up for lost: nothing to do.
        guard Int16(bitPattern: sequence &- start) >= 0 else { return }
        drain(track, shared: shared, now: now)
    }

    /// Where a tap starts: the packets already in the history count, since the stream was
    /// carried a moment before the tap was added and its first key frame (asked for when the
    /// link subscribed) may be there. Video starts at the latest key frame among the last
    /// ``lookBack`` packets when every packet from it on is held, else at `sequence` after
    /// asking for a key frame; audio at the oldest of an unbroken run of up to 50 packets (1 s).
    private func startingPoint(_ sequence: UInt16, track: PublishedTrack, shared: PublishedLayer, output: WorkerOutput)
        -> UInt16
    {
        let isVideo = track.kind == .video
        let scratch = output.nextBuffer  // not committed: only read into
        var oldest = sequence
        for back in 0..<(isVideo ? Self.lookBack : 50) {
            let candidate = sequence &- UInt16(back)
            guard let stored = shared.history.load(sequence: candidate, into: scratch) else { break }
            oldest = candidate
            if isVideo && stored.isKeyframeStart { return candidate }
        }
        if isVideo {
            track.wantKeyframe(layer: layer)
            return sequence
        }
        return oldest
    }

    /// How far back a video tap looks for a key frame to start on.
    static let lookBack = 512

    /// Hands out packets from ``next`` on while the history has them; gives a missing one up
    /// when it has waited long enough or the track ran far ahead.
    private func drain(_ track: PublishedTrack, shared: PublishedLayer, now: UInt64) {
        guard var sequence = next else { return }
        while Int16(bitPattern: newest &- sequence) >= 0 {
            if hand(sequence, shared: shared, now: now) {
                sequence &+= 1
                missingSince = 0
                continue
            }
            if missingSince == 0 { missingSince = now }
            let behind = Int(Int16(bitPattern: newest &- sequence))
            guard now &- missingSince >= Self.giveUpAfter || behind >= Self.giveUpDistance else { break }
            // Given up: the depacketizer sees the jump; a video track asks for a key frame.
            if pendingBreak == .none, track.kind == .video { track.wantKeyframe(layer: layer) }
            noteBreak(.loss)
            sequence &+= 1
        }
        next = sequence
    }

    /// Copies packet `sequence` from the history into the tap; false when the history lacks it.
    private func hand(_ sequence: UInt16, shared: PublishedLayer, now: UInt64) -> Bool {
        let gap = pendingBreak
        let (tap, trackIndex) = (tap, trackIndex)
        let outcome = tap.push { buffer in
            guard let stored = shared.history.load(sequence: sequence, into: buffer) else { return nil }
            let clock = shared.senderReport.withLock { $0.mapping }
            return StreamTap.Slot(
                track: trackIndex, layer: shared.index, length: stored.length,
                arrival: Int64(stored.arrival) &+ tap.wallOffset,
                ntp: clock?.ntpTimestamp ?? 0, rtp: clock?.rtpTimestamp ?? 0, breakReason: gap)
        }
        switch outcome {
        case .stored:
            pendingBreak = .none
            return true
        case .full:
            // Dropped, and handed on: waiting would not empty the ring.
            noteBreak(.loss)
            return true
        case .missing:
            return false
        }
    }

    /// Looks for the best live layer: the highest ranked with a bitrate. None live (nothing
    /// measured yet, or the whole track stopped): the consumer stays where it is.
    private func chooseLayer(_ track: PublishedTrack, now: UInt64) {
        let order = track.layerOrder
        var best: Int?
        var rank = order.count
        while rank > 0, best == nil {
            rank -= 1
            let candidate = order.layer(atRank: rank)
            if track.layers.indices.contains(candidate), track.layers[candidate].bitrate.load(ordering: .relaxed) > 0 {
                best = candidate
            }
        }
        guard let best, best != layer else {
            switchTarget = nil
            return
        }
        if switchTarget != best || now &- lastSwitchAsk >= Self.switchAskInterval {
            switchTarget = best
            lastSwitchAsk = now
            track.wantKeyframe(layer: best)
        }
    }

    /// Moves to `target` at packet `sequence`, the start of one of its key frames: what the old
    /// layer still had waiting is left (the new layer's key frame does not need it).
    private func switchLayer(to target: Int, at sequence: UInt16, track: PublishedTrack, now: UInt64) {
        layer = target
        switchTarget = nil
        let shared = track.layers[target]
        generation = shared.history.generation
        feedMoves = shared.feedMoves.load(ordering: .relaxed)
        next = sequence
        newest = sequence
        missingSince = 0
        pendingBreak = .layerSwitch
        drain(track, shared: shared, now: now)
    }

    /// The feed broke (another link, a new publisher, a loss upstream): start again at the
    /// next packet routed.
    private func resynchronize(_ reason: TapBreak) {
        next = nil
        missingSince = 0
        noteBreak(reason)
    }

    /// Records why the next packet follows a break: a link move or a publisher change is not
    /// hidden by a loss that comes with it (packets lost while the feed moved).
    private func noteBreak(_ reason: TapBreak) {
        if pendingBreak == .none || pendingBreak == .loss { pendingBreak = reason }
    }
}
