/// A ``StreamTap``'s consumer of one track on a worker: it hands the tap the packets of one
/// layer in sequence order. The layer's ``PacketHistory`` is the reorder buffer: a packet that
/// arrives ahead of a missing one waits there while the link NACKs upstream; the missing one
/// is given up after ``giveUpAfter`` or when the track runs ``giveUpDistance`` packets ahead,
/// and the next packet handed out says it follows a gap, and why (``TapBreak``: a loss, a
/// relay link taking over, a publisher back with other tracks). Worker thread only.
final class TapConsumer: TrackConsumer {
    /// How long a missing packet is waited for (a few NACK round trips on a relay link).
    static let giveUpAfter: UInt64 = 400_000_000
    /// How far the track may run ahead of a missing packet (a key frame of a few hundred packets
    /// must not be lost to waiting).
    static let giveUpDistance: Int = 512

    let tap: StreamTap
    let trackIndex: Int
    let layer: Int
    var isLink: Bool { false }

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
    init(tap: StreamTap, trackIndex: Int, layer: Int, startingBreak: TapBreak = .none) {
        self.tap = tap
        self.trackIndex = trackIndex
        self.layer = layer
        pendingBreak = startingBreak
    }

    func consume(_ track: PublishedTrack, layer: Int, sequence: UInt16, now: UInt64, router: TrackRouter) {
        let output = router.output
        guard layer == self.layer else { return }
        if track.kind == .video, tap.keyframeRequested.load(ordering: .relaxed),
            tap.keyframeRequested.exchange(false, ordering: .relaxed)
        {
            track.wantKeyframe(layer: layer)
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
                track: trackIndex, length: stored.length, arrival: Int64(stored.arrival) &+ tap.wallOffset,
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
