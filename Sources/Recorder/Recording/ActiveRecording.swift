import Foundation
import Logging
import MeshCatalog
import MeshRTC
import MeshRecording
import MeshWire
import Synchronization

/// One recording being written: a ``StreamTap``'s packets → each track's ``TrackIngest`` →
/// frames on the publisher's clock → ``SegmentSeries``. Runs on the recorder's queue only
/// (``RecordingPump``): ``pump()`` as packets come, ``finish(error:)`` once. Other threads
/// read only its constants, ``failed``, and ``bytes``/``duration`` after the finish.
///
/// The first segment opens at the first video key frame (audio alone: the first frame), once
/// every video track's size is known and its clock has a sender report; a segment is cut at the first video key frame once it
/// spans `segmentSeconds`, which it asks for then (and every second until one comes).
///
/// Simulcast: with `layers: top` a video track's packets move to another layer at one of its
/// key frames (``TapBreak/layerSwitch``, ``TappedPacket/layer``); the track's ingest starts
/// over (another RTP timeline and picture size) and a new segment starts at that key frame,
/// catalogued with the layer's rid. With `layers: all` each layer is a video track of its own
/// in the same segments (``StreamTap/tracks``, highest first); a layer whose size is not known
/// when a segment opens joins at the next one.
final class ActiveRecording: @unchecked Sendable {
    let id: UUID
    let stream: String
    let policy: String?
    /// Whether a client publishes it straight to this recorder (`/v1/recordings/ingest`).
    let direct: Bool
    /// The tap being written; a direct ingest's renegotiation replaces it (``switchTap(to:)``).
    /// Read by other threads (metrics, stop), replaced on the recorder's queue.
    var tap: StreamTap { currentTap.withLock { $0 } }
    private let currentTap: Mutex<StreamTap>
    private let series: SegmentSeries
    private let catalog: RecordingCatalog
    private let segmentNanoseconds: Int64
    private let logger: Logger
    /// What each tap track's feed holds (by tap track), built afresh for each tap.
    private var states: [TrackState]
    /// A hole longer than this at a layer switch is catalogued as a `layer-switch` gap: the
    /// top stopped a moment before the lower layer's key frame came.
    static let switchGapNanoseconds: Int64 = 200_000_000
    /// Matroska track numbers by tap track (from 1, in the stream's order; a renegotiated
    /// tap's tracks keep the numbers of the same kind and codec, ``numbering(_:)``).
    private var numbers: [Int]
    /// The tracks catalogued so far, by Matroska number.
    private var catalogued: [Int: TappedTrack] = [:]
    /// The last frame's wall time before a renegotiation, until the first frame after it
    /// (catalogued as a `renegotiated` gap).
    private var renegotiatedAfter: Int64?
    /// When (segment-relative wall ns) the last key frame for a cut was asked for; nil when none
    /// was asked for in this segment.
    private var askedForCutAt: Int64?
    /// The frame the last push completed, copied out of the depacketizer (reused buffer).
    private var staged: [UInt8] = []
    private var stagedFrame: (wall: Int64, latest: Int64, key: Bool)?
    private var stagedGap: TrackIngest.Gap?
    /// When a video frame was last written, and a key frame last asked for because none was.
    private var lastVideoWritten: ContinuousClock.Instant?
    private var lastKeyframeAsk: ContinuousClock.Instant?
    /// When the first key frame came before a video sender report (see ``videoClocksReady()``).
    private var firstUnsynchronizedKey: ContinuousClock.Instant?
    /// When the first key frame came before every video track's size was known.
    private var firstKeyWithoutSizes: ContinuousClock.Instant?
    /// Whether a key frame was asked for as the sender reports completed.
    private var askedAfterReports = false
    /// How long the first segment waits for video sender reports before it opens on arrival
    /// times (a sender that sends none).
    static let unsynchronizedWait = Duration.seconds(3)
    /// Set when writing failed; the recording stops with it.
    private(set) var failure: String?
    /// Whether writing failed, for other threads.
    let failed = Atomic<Bool>(false)

    private let metrics: RecorderMetrics

    init(
        id: UUID, stream: String, policy: String?, tap: StreamTap, storage: String, segmentSeconds: Int,
        catalog: RecordingCatalog, metrics: RecorderMetrics, logger: Logger, direct: Bool = false
    ) {
        self.direct = direct
        self.metrics = metrics
        self.id = id
        self.stream = stream
        self.policy = policy
        currentTap = Mutex(tap)
        self.catalog = catalog
        self.logger = logger
        segmentNanoseconds = Int64(max(segmentSeconds, 1)) * 1_000_000_000
        series = SegmentSeries(recording: id, storage: storage, catalog: catalog, metrics: metrics)
        states = tap.tracks.map { TrackState(track: $0) }
        numbers = tap.tracks.indices.map { $0 + 1 }
        staged.reserveCapacity(512 << 10)
    }

    /// Bytes in closed segments.
    var bytes: Int64 { series.bytes }
    /// Media seconds in closed segments.
    var duration: Double { series.duration }

    /// Writes whatever the tap holds. Returns the packets taken.
    @discardableResult
    func pump() -> Int {
        let tap = self.tap
        guard failure == nil else { return tap.drain { _ in } }
        askForKeyframeIfStalled()
        return tap.drain { packet in
            let index = packet.track
            guard states.indices.contains(index), failure == nil else { return }
            if packet.layer != states[index].layer { switchLayer(track: index, to: packet.layer) }
            stagedFrame = nil
            stagedGap = nil
            let restarts = states[index].ingest.restarts
            states[index].ingest.push(
                packet,
                frame: { frame in
                    staged.removeAll(keepingCapacity: true)
                    staged.append(contentsOf: frame.bytes)
                    stagedFrame = (frame.wallTime, frame.latestWallTime, frame.isKeyFrame)
                },
                gap: { stagedGap = $0 })
            if states[index].ingest.restarts != restarts, states[index].lastFrameWall > 0 {
                states[index].restartedAfter = states[index].lastFrameWall
            }
            if packet.breakReason != .none, states[index].breakReason == .none || states[index].breakReason == .loss {
                states[index].breakReason = packet.breakReason
            }
            if let gap = stagedGap {
                note(gap, after: states[index].breakReason, lastFrame: states[index].lastFrameWall)
                states[index].breakReason = .none
            }
            if let frame = stagedFrame {
                if let from = states[index].switchedAfter {
                    states[index].switchedAfter = nil
                    if frame.wall - from > Self.switchGapNanoseconds {
                        let hole = TrackIngest.Gap(start: from, end: frame.wall, reason: .packetLoss)
                        note(hole, after: .layerSwitch, lastFrame: 0)
                    }
                }
                if let from = states[index].restartedAfter {
                    // Nothing lost by sequence number: the silence between the two senders.
                    states[index].restartedAfter = nil
                    let silence = TrackIngest.Gap(start: from, end: max(frame.wall, from), reason: .packetLoss)
                    note(silence, after: .publisherChange, lastFrame: 0)
                }
                states[index].breakReason = .none
                states[index].lastFrameWall = frame.wall
                let wall = write(track: index, wall: frame.wall, latest: frame.latest, key: frame.key)
                states[index].lastFrameWall = wall
                if renegotiatedAfter != nil, series.isOpen { noteRenegotiation(until: wall) }
            }
            if states[index].ingest.isVideo { askForKeyframeAfterLoss(track: index) }
        }
    }

    /// The tap moved track `index` to simulcast layer `layer` at one of its key frames: another
    /// SSRC, sequence numbering, RTP timeline (with its own sender reports) and picture size.
    /// The track's depacketizer and clock start over, and its next key frame starts a segment.
    private func switchLayer(track index: Int, to layer: Int) {
        let from = tap.tracks[index].rid(of: states[index].layer) ?? String(states[index].layer)
        let to = tap.tracks[index].rid(of: layer) ?? String(layer)
        var state = TrackState(track: tap.tracks[index], layer: layer)
        state.lastFrameWall = states[index].lastFrameWall
        state.switchPending = true
        if state.lastFrameWall > 0 { state.switchedAfter = state.lastFrameWall }
        states[index] = state
        metrics.layerSwitches.add(1, ordering: .relaxed)
        logger.info("recording \(id.uuidString.lowercased()) of '\(stream)': video moves from layer \(from) to \(to)")
    }

    /// The rid of the layer the first video track reads now: what a `layers: top` segment holds.
    private var videoRID: String? {
        guard let first = firstVideo, tap.tracks[first].followsTop else { return nil }
        return tap.tracks[first].rid(of: states[first].layer)
    }

    /// Video that has just lost a packet writes nothing until a key frame (frames that refer to
    /// what was lost would decode to garbage, the "green frames" of other recorders): it asks
    /// for one at once, rather than after ``askForKeyframeIfStalled``'s second.
    private func askForKeyframeAfterLoss(track index: Int) {
        let waiting = states[index].ingest.isWaitingForKeyFrame
        defer { states[index].videoWaiting = waiting }
        guard waiting, !states[index].videoWaiting, series.isOpen else { return }
        lastKeyframeAsk = .now
        tap.requestKeyframe()
    }

    /// Video that has written nothing for a second (waiting for its first key frame, or for one
    /// after a loss) asks again, once a second: a single request can be swallowed upstream (a
    /// hop ignores requests just after it forwarded a key frame, which this node may have missed).
    private func askForKeyframeIfStalled() {
        guard hasVideo else { return }
        let now = ContinuousClock.now
        // The first key frame came before the sender reports, which have come now: the next
        // one opens the recording, so it is asked for at once rather than a second later.
        if !series.isOpen, !askedAfterReports, firstUnsynchronizedKey != nil,
            states.allSatisfy({ !$0.ingest.isVideo || $0.ingest.clock.isSynchronized })
        {
            askedAfterReports = true
            lastKeyframeAsk = now
            tap.requestKeyframe()
            return
        }
        let since = lastVideoWritten ?? lastKeyframeAsk
        guard since.map({ $0.duration(to: now) >= .seconds(1) }) ?? true,
            lastKeyframeAsk.map({ $0.duration(to: now) >= .seconds(1) }) ?? true
        else { return }
        if lastKeyframeAsk == nil && lastVideoWritten == nil {
            lastKeyframeAsk = now  // the tap asked when it started: the first retry is a second later
            return
        }
        lastKeyframeAsk = now
        tap.requestKeyframe()
    }

    /// Writes the staged frame of track `index`, timed `wall` by its clock's anchor and `latest`
    /// by its latest sender report; returns the time it was written at (`latest` when it opened
    /// a segment).
    private func write(track index: Int, wall anchored: Int64, latest: Int64, key: Bool) -> Int64 {
        let isVideo = states[index].ingest.isVideo
        var wall = anchored
        do throws(MatroskaSegmentWriter.WriteError) {
            if states[index].switchPending, isVideo, key {
                // The first key frame of the layer moved to: a new segment with its size.
                states[index].switchPending = false
                if series.isOpen, states[index].ingest.matroskaCodec() != nil {
                    try openSegment(frameAt: &wall, latest: latest)
                }
            }
            if let start = series.currentStart {
                let spanned = wall - start
                // Asked for once the segment is due (a key frame asked for earlier would arrive
                // before the cut and the encoder might send none after it), again every second.
                if hasVideo, spanned >= segmentNanoseconds,
                    askedForCutAt.map({ spanned - $0 >= 1_000_000_000 }) ?? true
                {
                    askedForCutAt = spanned
                    tap.requestKeyframe()
                }
                // Cut at the first video track that is flowing (with `layers: all`, the top
                // layer may have stopped).
                let cutTrack =
                    states.indices.first {
                        states[$0].ingest.isVideo && wall - states[$0].lastFrameWall < 1_000_000_000
                    }
                    ?? firstVideo
                let cutsHere = hasVideo ? (isVideo && key && index == cutTrack) : true
                if cutsHere && spanned >= segmentNanoseconds {
                    try openSegment(frameAt: &wall, latest: latest)
                }
            } else if !hasVideo || (isVideo && key) {
                guard states[index].ingest.matroskaCodec() != nil || !isVideo, videoSizesReady(), videoClocksReady()
                else {
                    return wall
                }
                try openSegment(frameAt: &wall, latest: latest)
            }
            let number = numbers[index]
            if !isVideo, series.isOpen { try fillSilence(track: index, number: number, before: wall) }
            let started = ContinuousClock.now
            defer {
                let took = started.duration(to: .now).components
                metrics.noteWrite(nanoseconds: Int(took.seconds * 1_000_000_000 + took.attoseconds / 1_000_000_000))
            }
            let written = staged.withUnsafeBytes { bytes -> Result<Bool, MatroskaSegmentWriter.WriteError> in
                do throws(MatroskaSegmentWriter.WriteError) {
                    return .success(
                        try series.write(track: number, isVideo: isVideo, wall: wall, isKeyFrame: key, frame: bytes))
                } catch {
                    return .failure(error)
                }
            }
            if try written.get(), isVideo { lastVideoWritten = .now }
        } catch {
            fail(Self.describe(error, storage: series.storage, doing: "writing segment"))
        }
        return wall
    }

    /// A write error as the catalog and the log say it: a full disk by name.
    static func describe(_ error: MatroskaSegmentWriter.WriteError, storage: String, doing what: String) -> String {
        if case .file(let failure) = error, failure.code == ENOSPC || failure.code == EDQUOT {
            return "disk full: no space left in \(storage) (\(failure)); the segments written so far are kept"
        }
        return "\(what) failed: \(error)"
    }

    /// Silence for the hole before an audio frame at `wall`, if there is one (``OpusGapFiller``).
    private func fillSilence(track index: Int, number: Int, before wall: Int64) throws(MatroskaSegmentWriter.WriteError)
    {
        let samples = staged.withUnsafeBytes { (try? OpusPacket(parsing: $0))?.durationSamples } ?? 960
        var failed: MatroskaSegmentWriter.WriteError?
        let filled = states[index].filler.frame(at: wall, samples: samples) { at in
            guard failed == nil else { return }
            OpusGapFiller.silenceFrame.withUnsafeBytes { bytes in
                do throws(MatroskaSegmentWriter.WriteError) {
                    try series.write(track: number, isVideo: false, wall: at, isKeyFrame: true, frame: bytes)
                } catch {
                    failed = error
                }
            }
        }
        if let failed { throw failed }
        if filled > 0 { metrics.silenceFrames.add(filled, ordering: .relaxed) }
    }

    /// Whether every video track's size is known (the first segment describes them), or
    /// ``unsynchronizedWait`` has passed since the first key frame: a simulcast layer that is
    /// not flowing (`layers: all`) joins at a later segment rather than hold up the recording.
    private func videoSizesReady() -> Bool {
        if states.allSatisfy({ !$0.ingest.isVideo || $0.ingest.matroskaCodec() != nil }) { return true }
        let now = ContinuousClock.now
        guard let since = firstKeyWithoutSizes else {
            firstKeyWithoutSizes = now
            return false
        }
        return since.duration(to: now) >= Self.unsynchronizedWait
    }

    /// Whether the first segment may open: every video track's clock has a sender report, or
    /// ``unsynchronizedWait`` has passed since the first key frame came without one. Before
    /// its first report a track is timed by arrival, and the report then moves it back by the
    /// sender's and the path's delay (tens of milliseconds); video moved back by more than half
    /// a frame puts two frames in one frame slot, which players reject. The key frame is asked
    /// for again within a second (``askForKeyframeIfStalled``).
    private func videoClocksReady() -> Bool {
        if states.allSatisfy({ !$0.ingest.isVideo || $0.ingest.clock.isSynchronized }) { return true }
        let now = ContinuousClock.now
        guard let since = firstUnsynchronizedKey else {
            firstUnsynchronizedKey = now
            return false
        }
        return since.duration(to: now) >= Self.unsynchronizedWait
    }

    /// Opens a segment at the frame timed `wall`: every track's clock takes its latest sender
    /// report first (a clock steps only between two files, see ``TrackClock``), so the frame is
    /// written at `latest`.
    private func openSegment(frameAt wall: inout Int64, latest: Int64) throws(MatroskaSegmentWriter.WriteError) {
        for index in states.indices { states[index].ingest.adoptLatestClock() }
        wall = latest
        let tracks = states.indices.compactMap { index in
            states[index].ingest.matroskaCodec().map { MatroskaTrack(number: numbers[index], codec: $0) }
        }
        try series.open(tracks: tracks, at: wall, rid: videoRID)
        askedForCutAt = nil
        for (index, ingest) in states.map(\.ingest).enumerated() where catalogued[numbers[index]] == nil {
            catalogued[numbers[index]] = ingest.track
            catalog.trackAdded(
                RecordedTrack(
                    number: numbers[index], kind: ingest.isVideo ? .video : .audio,
                    codec: ingest.track.codec.encodingName, ssrc: ingest.track.ssrc,
                    rid: ingest.track.followsTop ? nil : ingest.track.rid(of: ingest.track.layer)),
                to: id)
        }
    }

    /// A direct ingest was renegotiated: its new publisher session's tap replaces the old one,
    /// whose remaining packets are written first. The open segment closes (the new tracks may
    /// differ, and the new sender's timeline starts anywhere) and the next one opens at the new
    /// tap's first video key frame (audio alone: its first frame), like a recording's first;
    /// the time between is catalogued as a `renegotiated` gap. Recorder's queue only.
    func switchTap(to new: StreamTap) {
        pump()
        guard failure == nil else {
            currentTap.withLock { $0 = new }
            return
        }
        do throws(MatroskaSegmentWriter.WriteError) {
            try series.closeAll()
        } catch {
            fail(Self.describe(error, storage: series.storage, doing: "closing segment"))
        }
        renegotiatedAfter = states.map(\.lastFrameWall).max().flatMap { $0 > 0 ? $0 : nil } ?? renegotiatedAfter
        currentTap.withLock { $0 = new }
        states = new.tracks.map { TrackState(track: $0) }
        numbers = Self.numbering(new.tracks, catalogued: catalogued)
        askedForCutAt = nil
        lastVideoWritten = nil
        lastKeyframeAsk = nil
        firstUnsynchronizedKey = nil
        askedAfterReports = false
    }

    /// Catalogues the time from the last frame before a renegotiation to the first written after.
    private func noteRenegotiation(until wall: Int64) {
        guard let from = renegotiatedAfter else { return }
        renegotiatedAfter = nil
        let start = series.recordingStart ?? from
        metrics.gaps.add(1, ordering: .relaxed)
        catalog.gap(
            RecordedGap(
                at: Double(from - start) / 1e9, duration: Double(max(wall, from) - from) / 1e9, reason: "renegotiated"),
            in: id)
    }

    /// Matroska numbers for `tracks`: each takes the number of a catalogued track of the same
    /// kind and codec not taken yet (a renegotiation that keeps a track keeps its number, so the
    /// catalog lists it once), else the next number after every one in use.
    static func numbering(_ tracks: [TappedTrack], catalogued: [Int: TappedTrack]) -> [Int] {
        var free = catalogued.sorted { $0.key < $1.key }
        var next = (catalogued.keys.max() ?? 0) + 1
        return tracks.map { track in
            if let match = free.firstIndex(where: { $0.value.kind == track.kind && $0.value.codec == track.codec }) {
                return free.remove(at: match).key
            }
            defer { next += 1 }
            return next
        }
    }

    /// Catalogues a gap (``CataloguedGap``): `cause`, the break the tap reported before it,
    /// names packet loss that came with a relay link taking over or with a publisher back on
    /// other tracks; the gap starts at the track's last frame before it (`lastFrame`).
    private func note(_ gap: TrackIngest.Gap, after cause: TapBreak, lastFrame: Int64) {
        guard let start = series.recordingStart else { return }
        metrics.gaps.add(1, ordering: .relaxed)
        catalog.gap(CataloguedGap.row(gap, after: cause, lastFrame: lastFrame, recordingStart: start), in: id)
    }

    private var hasVideo: Bool { firstVideo != nil }
    private var firstVideo: Int? { states.firstIndex { $0.ingest.isVideo } }

    private func fail(_ reason: String) {
        guard failure == nil else { return }
        failure = reason
        failed.store(true, ordering: .relaxed)
        metrics.failures.add(1, ordering: .relaxed)
        let kept = series.salvageAll()
        logger.error("recording \(id) of '\(stream)' failed: \(reason) (\(kept) open segment(s) closed)")
    }

    /// Closes the segments and catalogues the end: stopped, or failed with `error` (or the
    /// write failure that stopped it).
    func finish(error: String? = nil) {
        pump()
        if failure == nil {
            do throws(MatroskaSegmentWriter.WriteError) {
                try series.closeAll()
            } catch {
                fail(Self.describe(error, storage: series.storage, doing: "closing segment"))
            }
        }
        if let reason = failure ?? error {
            catalog.recordingFailed(id, error: reason, bytes: series.bytes, duration: series.duration)
        } else {
            catalog.recordingStopped(id, bytes: series.bytes, duration: series.duration)
        }
    }
}
