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
final class ActiveRecording: @unchecked Sendable {
    let id: UUID
    let stream: String
    let policy: String?
    let tap: StreamTap
    private let series: SegmentSeries
    private let catalog: RecordingCatalog
    private let segmentNanoseconds: Int64
    private let logger: Logger
    private var ingests: [TrackIngest]
    /// Per tap track; used for audio only.
    private var fillers: [OpusGapFiller]
    /// Per tap track: why the feed last broke (``TapBreak``), until the gap it opened is
    /// catalogued or a frame follows on without one (a move that lost nothing).
    private var breaks: [TapBreak]
    /// Per tap track: the wall time (ns) of its last frame out of the depacketizer, 0 before one.
    private var lastFrameWall: [Int64]
    /// Per tap track: the last frame's wall time when its timeline restarted (a publisher
    /// that reconnected, ``TrackIngest/restarts``), until the first frame after it.
    private var restartedAfter: [Int64?]
    /// Per tap track: whether video was waiting for a key frame after the last packet.
    private var videoWaiting: [Bool]
    /// Matroska track numbers by tap track (from 1, in the stream's order).
    private let numbers: [Int]
    /// When (segment-relative wall ns) the last key frame for a cut was asked for; nil when none
    /// was asked for in this segment.
    private var askedForCutAt: Int64?
    /// The frame the last push completed, copied out of the depacketizer (reused buffer).
    private var staged: [UInt8] = []
    private var stagedFrame: (wall: Int64, key: Bool)?
    private var stagedGap: TrackIngest.Gap?
    /// When a video frame was last written, and a key frame last asked for because none was.
    private var lastVideoWritten: ContinuousClock.Instant?
    private var lastKeyframeAsk: ContinuousClock.Instant?
    /// When the first key frame came before a video sender report (see ``videoClocksReady()``).
    private var firstUnsynchronizedKey: ContinuousClock.Instant?
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
        catalog: RecordingCatalog, metrics: RecorderMetrics, logger: Logger
    ) {
        self.metrics = metrics
        self.id = id
        self.stream = stream
        self.policy = policy
        self.tap = tap
        self.catalog = catalog
        self.logger = logger
        segmentNanoseconds = Int64(max(segmentSeconds, 1)) * 1_000_000_000
        series = SegmentSeries(recording: id, storage: storage, catalog: catalog, metrics: metrics)
        ingests = tap.tracks.map(TrackIngest.init(track:))
        fillers = Array(repeating: OpusGapFiller(), count: tap.tracks.count)
        videoWaiting = Array(repeating: true, count: tap.tracks.count)
        breaks = Array(repeating: .none, count: tap.tracks.count)
        lastFrameWall = Array(repeating: 0, count: tap.tracks.count)
        restartedAfter = Array(repeating: nil, count: tap.tracks.count)
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
        guard failure == nil else { return tap.drain { _ in } }
        askForKeyframeIfStalled()
        return tap.drain { packet in
            guard ingests.indices.contains(packet.track), failure == nil else { return }
            stagedFrame = nil
            stagedGap = nil
            let restarts = ingests[packet.track].restarts
            ingests[packet.track].push(
                packet,
                frame: { frame in
                    staged.removeAll(keepingCapacity: true)
                    staged.append(contentsOf: frame.bytes)
                    stagedFrame = (frame.wallTime, frame.isKeyFrame)
                },
                gap: { stagedGap = $0 })
            if ingests[packet.track].restarts != restarts, lastFrameWall[packet.track] > 0 {
                restartedAfter[packet.track] = lastFrameWall[packet.track]
            }
            if packet.breakReason != .none, breaks[packet.track] == .none || breaks[packet.track] == .loss {
                breaks[packet.track] = packet.breakReason
            }
            if let gap = stagedGap {
                note(gap, after: breaks[packet.track], lastFrame: lastFrameWall[packet.track])
                breaks[packet.track] = .none
            }
            if let frame = stagedFrame {
                if let from = restartedAfter[packet.track] {
                    // Nothing lost by sequence number: the silence between the two senders.
                    restartedAfter[packet.track] = nil
                    let silence = TrackIngest.Gap(start: from, end: max(frame.wall, from), reason: .packetLoss)
                    note(silence, after: .publisherChange, lastFrame: 0)
                }
                breaks[packet.track] = .none
                lastFrameWall[packet.track] = frame.wall
                write(track: packet.track, wall: frame.wall, key: frame.key)
            }
            if ingests[packet.track].isVideo { askForKeyframeAfterLoss(track: packet.track) }
        }
    }

    /// Video that has just lost a packet writes nothing until a key frame (frames that refer to
    /// what was lost would decode to garbage, the "green frames" of other recorders): it asks
    /// for one at once, rather than after ``askForKeyframeIfStalled``'s second.
    private func askForKeyframeAfterLoss(track index: Int) {
        let waiting = ingests[index].isWaitingForKeyFrame
        defer { videoWaiting[index] = waiting }
        guard waiting, !videoWaiting[index], series.isOpen else { return }
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
            ingests.allSatisfy({ !$0.isVideo || $0.clock.isSynchronized })
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

    private func write(track index: Int, wall: Int64, key: Bool) {
        let isVideo = ingests[index].isVideo
        do throws(MatroskaSegmentWriter.WriteError) {
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
                let cutsHere = hasVideo ? (isVideo && key && index == firstVideo) : true
                if cutsHere && spanned >= segmentNanoseconds {
                    try openSegment(at: wall)
                }
            } else if !hasVideo || (isVideo && key) {
                guard ingests.allSatisfy({ !$0.isVideo || $0.matroskaCodec() != nil }), videoClocksReady() else {
                    return
                }
                try openSegment(at: wall)
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
        let filled = fillers[index].frame(at: wall, samples: samples) { at in
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

    /// Whether the first segment may open: every video track's clock has a sender report, or
    /// ``unsynchronizedWait`` has passed since the first key frame came without one. Before
    /// its first report a track is timed by arrival, and the report then moves it back by the
    /// sender's and the path's delay (tens of milliseconds); video moved back by more than half
    /// a frame puts two frames in one frame slot, which players reject. The key frame is asked
    /// for again within a second (``askForKeyframeIfStalled``).
    private func videoClocksReady() -> Bool {
        if ingests.allSatisfy({ !$0.isVideo || $0.clock.isSynchronized }) { return true }
        let now = ContinuousClock.now
        guard let since = firstUnsynchronizedKey else {
            firstUnsynchronizedKey = now
            return false
        }
        return since.duration(to: now) >= Self.unsynchronizedWait
    }

    private func openSegment(at wall: Int64) throws(MatroskaSegmentWriter.WriteError) {
        let first = !series.isOpen && series.recordingStart == nil
        let tracks = ingests.indices.compactMap { index in
            ingests[index].matroskaCodec().map { MatroskaTrack(number: numbers[index], codec: $0) }
        }
        try series.open(tracks: tracks, at: wall)
        askedForCutAt = nil
        if first {
            for (index, ingest) in ingests.enumerated() {
                catalog.trackAdded(
                    RecordedTrack(
                        number: numbers[index], kind: ingest.isVideo ? .video : .audio,
                        codec: ingest.track.codec.encodingName, ssrc: ingest.track.ssrc),
                    to: id)
            }
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
    private var firstVideo: Int? { ingests.firstIndex { $0.isVideo } }

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
