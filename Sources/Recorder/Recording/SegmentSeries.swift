import Foundation
import MeshCatalog
import MeshCrypto
import MeshRecording

/// The segment files of one recording, in its directory under the node's storage: one
/// ``MatroskaSegmentWriter`` at a time, cut at a video key frame once the segment spans the
/// topology's `segment_seconds`. After a cut the previous segment stays open for
/// ``overlapNanoseconds`` of media so that frames of another track that belong before the cut
/// (audio arriving a little after the key frame) still land in it. Each segment is catalogued
/// when opened and when closed (bytes, frames, duration, SHA-256 of the closed file).
///
/// A segment's audio starts with the decoder pre-roll (``AudioPreRoll``): the frames of the
/// ``decoderPreRollNanoseconds`` (80 ms) before its start, which players decode and discard
/// (the track's CodecDelay), so the segment's first audible frame decodes warm. The frames kept
/// include those that came before the cut's key frame but play after it (audio travels ahead of
/// video): the previous segment has them too, and the joined file takes them from this one
/// (``MatroskaJoin``).
///
/// The discarded part is the whole CodecDelay, ``MatroskaTrack/opusPreRollSamples`` (200 ms):
/// every segment's audio begins exactly that long before its first video frame, with 20 ms
/// silence frames ahead of the pre-roll, and the pre-roll frames sit on the 20 ms grid from
/// there (moved up to 20 ms earlier; they are not heard). ffmpeg moves a file by its start, the
/// audio's: by a fixed 200 ms the video stays on whole frame slots at 5, 10, 15, 20, 25, 30, 50
/// and 60 frames/s. When the start followed each cut's arrival phase (-60 to -80 ms), its
/// null muxer rounded two evenly spaced 20 fps frames into one 1/20 s slot in some segments.
final class SegmentSeries {
    /// How long after a cut frames older than it still go to the previous segment.
    static let overlapNanoseconds: Int64 = 300_000_000
    /// The audio before a segment's start that its pre-roll takes: what RFC 7845 §4.6 asks a
    /// decoder to decode and discard when it starts mid-stream.
    static let decoderPreRollNanoseconds: Int64 = 80_000_000
    /// The Opus frame length the pre-roll's grid and silence use (what WebRTC senders send).
    static let audioFrameMilliseconds: Int64 = 20

    private struct Open {
        let writer: MatroskaSegmentWriter
        let sequence: Int
        let file: String
        let startWall: Int64
        /// The simulcast layer its video holds (`layers: top`), for the catalog.
        let rid: String?
        /// Video tracks that have had their first (key) frame in this segment.
        var started: Set<Int>
        /// The last timestamp (ms) written per track number; nil before the first.
        var last: [Int64?]
        /// Per track number: whether the segment has that track (a layer whose size was not
        /// known yet at the cut has none until the next segment).
        let hasTrack: [Bool]
        /// Per track number: how long before the segment its frames start (the track's
        /// CodecDelay, in ms; 0 for video).
        let preRoll: [Int64]
    }

    let recording: UUID
    let storage: String
    let catalog: RecordingCatalog
    let metrics: RecorderMetrics
    private var current: Open?
    private var previous: Open?
    private var nextSequence = 0
    /// Per Matroska track number: its last frames, for the next segment's pre-roll.
    private var recent: [AudioPreRoll?] = []
    /// Wall time of the recording's first frame (ns); nil before the first segment.
    private(set) var recordingStart: Int64?
    private(set) var bytes: Int64 = 0
    private(set) var duration: Double = 0
    /// Frames dropped because no segment could take them (before the first key frame, video
    /// before its own key frame in a segment).
    private(set) var droppedFrames = 0

    /// A series for `recording`, written under `storage/<id>/`.
    init(recording: UUID, storage: String, catalog: RecordingCatalog, metrics: RecorderMetrics) {
        self.recording = recording
        self.storage = storage
        self.catalog = catalog
        self.metrics = metrics
    }

    /// The recording's directory, relative to the storage path.
    var directory: String { recording.uuidString.lowercased() }

    /// Whether a segment is open.
    var isOpen: Bool { current != nil }

    /// When the open segment started (wall ns).
    var currentStart: Int64? { current?.startWall }

    /// Opens the next segment with `tracks`, starting at `wall` (the first frame's time), its
    /// video from the simulcast layer `rid`.
    func open(tracks: [MatroskaTrack], at wall: Int64, rid: String? = nil) throws(MatroskaSegmentWriter.WriteError) {
        if let current {
            if let previous { try close(previous) }
            previous = current
            self.current = nil
        }
        if recordingStart == nil { recordingStart = wall }
        let start = Double(wall - (recordingStart ?? wall)) / 1e9
        let sequence = nextSequence
        let isMatroska = tracks.contains { if case .h264 = $0.codec { true } else { false } }
        // The start (ms from the recording's start) is in the name, so recovery after a crash
        // can catalogue the segment without asking PostgreSQL.
        let digits = String(sequence)
        let name =
            String(repeating: "0", count: max(6 - digits.count, 0)) + digits + "-\(Int64(start * 1000))"
            + (isMatroska ? ".mkv" : ".webm")
        let file = "\(directory)/\(name)"
        let writer = try MatroskaSegmentWriter(path: "\(storage)/\(file)", tracks: tracks)
        nextSequence += 1
        let slots = (tracks.map(\.number).max() ?? 0) + 1
        var preRoll = [Int64](repeating: 0, count: slots)
        var hasTrack = [Bool](repeating: false, count: slots)
        for track in tracks {
            preRoll[track.number] = track.codecDelayMilliseconds
            hasTrack[track.number] = true
        }
        var opened = Open(
            writer: writer, sequence: sequence, file: file, startWall: wall, rid: rid, started: [],
            last: Array(repeating: nil, count: slots), hasTrack: hasTrack, preRoll: preRoll)
        catalog.segmentOpened(sequence, file: file, start: start, rid: rid, in: recording)
        // The frames already here that this segment plays or pre-rolls.
        var failed: MatroskaSegmentWriter.WriteError?
        for track in tracks where preRoll[track.number] > 0 && recent.indices.contains(track.number) {
            recent[track.number]?.forEach(since: wall - Self.decoderPreRollNanoseconds) { at, frame in
                guard failed == nil else { return }
                do throws(MatroskaSegmentWriter.WriteError) {
                    _ = try write(into: &opened, track: track.number, isVideo: false, wall: at, key: true, frame: frame)
                } catch {
                    failed = error
                }
            }
        }
        current = opened
        if let failed { throw failed }
    }

    /// Writes a frame of Matroska track `number`; false when no segment takes it (dropped).
    @discardableResult
    func write(track number: Int, isVideo: Bool, wall: Int64, isKeyFrame: Bool, frame: UnsafeRawBufferPointer)
        throws(MatroskaSegmentWriter.WriteError) -> Bool
    {
        if !isVideo { keepRecent(track: number, wall: wall, frame: frame) }
        // Audio from just before the open segment: its pre-roll (and the previous segment's end).
        if !isVideo, var current, wall < current.startWall, current.preRoll.indices.contains(number),
            current.preRoll[number] > 0, wall >= current.startWall - Self.decoderPreRollNanoseconds
        {
            _ = try write(into: &current, track: number, isVideo: false, wall: wall, key: isKeyFrame, frame: frame)
            self.current = current
            if var previous {
                _ = try write(into: &previous, track: number, isVideo: false, wall: wall, key: isKeyFrame, frame: frame)
                self.previous = previous
            }
            return true
        }
        if var previous, wall < (current?.startWall ?? .max) {
            if try write(into: &previous, track: number, isVideo: isVideo, wall: wall, key: isKeyFrame, frame: frame) {
                self.previous = previous
                return true
            }
        }
        // A frame from before the segment began that no earlier segment takes (before the
        // recording's first key frame, or past the overlap): written at 0 it would move against
        // the other tracks, so it is dropped.
        guard var current, wall >= current.startWall else {
            droppedFrames += 1
            metrics.droppedFrames.add(1, ordering: .relaxed)
            return false
        }
        let written = try write(
            into: &current, track: number, isVideo: isVideo, wall: wall, key: isKeyFrame, frame: frame)
        self.current = current
        if let previous, wall - current.startWall > Self.overlapNanoseconds {
            self.previous = nil
            try close(previous)
        }
        if !written {
            droppedFrames += 1
            metrics.droppedFrames.add(1, ordering: .relaxed)
        }
        return written
    }

    private func write(
        into segment: inout Open, track: Int, isVideo: Bool, wall: Int64, key: Bool, frame: UnsafeRawBufferPointer
    ) throws(MatroskaSegmentWriter.WriteError) -> Bool {
        guard segment.hasTrack.indices.contains(track), segment.hasTrack[track] else { return false }
        if isVideo && !segment.started.contains(track) {
            guard key else { return false }
            segment.started.insert(track)
        }
        let preRoll = segment.preRoll[track]
        var milliseconds = Self.milliseconds(wall - segment.startWall)
        if preRoll > 0, milliseconds < 0 {
            // Pre-roll, which is decoded and not heard: on the grid from the audio's start.
            let frame = Self.audioFrameMilliseconds
            let (quotient, remainder) = milliseconds.quotientAndRemainder(dividingBy: frame)
            milliseconds = max((remainder < 0 ? quotient - 1 : quotient) * frame, -preRoll)
        }
        // Strictly increasing per track: a sender report that re-anchors a track's clock may put
        // a frame at or before the one written last, and two blocks of one track at the same
        // time are a non-monotonic DTS to players (ffmpeg says so).
        if let last = segment.last[track] {
            milliseconds = max(milliseconds, last + 1)
        } else if preRoll > 0 {
            try fillPreRoll(into: segment, track: track, before: milliseconds)
        }
        segment.last[track] = milliseconds
        try segment.writer.write(track: track, timestamp: milliseconds, isKeyFrame: key, frame: frame)
        return true
    }

    /// Before a track's first frame in a segment, at `milliseconds`: silence frames
    /// (``OpusGapFiller/silenceFrame``) on the grid from the audio's start (the CodecDelay before
    /// the segment's) up to the frame, so the track always starts there, what the decoder
    /// discards is silence or pre-roll, and audio that starts later in the segment follows
    /// silence rather than a hole (players that play audio back to back would play it early).
    /// The silence stops where the segment's other tracks are: a frame timed hours ahead (a
    /// sender report of another publisher, see the Recorder README) gets a hole, not gigabytes.
    private func fillPreRoll(into segment: Open, track: Int, before milliseconds: Int64)
        throws(MatroskaSegmentWriter.WriteError)
    {
        let frame = Self.audioFrameMilliseconds
        let until = min(milliseconds, max(segment.last.compactMap { $0 }.max() ?? 0, 0))
        let writer = segment.writer
        var failed: MatroskaSegmentWriter.WriteError?
        OpusGapFiller.silenceFrame.withUnsafeBytes { bytes in
            for slot in stride(from: -segment.preRoll[track], through: until - frame, by: Int(frame))
            where failed == nil {
                do throws(MatroskaSegmentWriter.WriteError) {
                    try writer.write(track: track, timestamp: slot, isKeyFrame: true, frame: bytes)
                } catch {
                    failed = error
                }
            }
        }
        if let failed { throw failed }
    }

    /// Nanoseconds to whole milliseconds, rounded down (also below zero).
    static func milliseconds(_ nanoseconds: Int64) -> Int64 {
        let (quotient, remainder) = nanoseconds.quotientAndRemainder(dividingBy: 1_000_000)
        return remainder < 0 ? quotient - 1 : quotient
    }

    /// Keeps an audio frame for the next segment's pre-roll.
    private func keepRecent(track: Int, wall: Int64, frame: UnsafeRawBufferPointer) {
        guard track > 0, track < 127 else { return }
        if recent.count <= track { recent += Array(repeating: nil, count: track + 1 - recent.count) }
        if recent[track] == nil { recent[track] = AudioPreRoll() }
        recent[track]?.keep(wall: wall, frame: frame)
    }

    /// Closes every open segment.
    func closeAll() throws(MatroskaSegmentWriter.WriteError) {
        let (previous, current) = (self.previous, self.current)
        self.previous = nil
        self.current = nil
        if let previous { try close(previous) }
        if let current { try close(current) }
    }

    /// After a failed write (a full disk): closes the open segments the way a start after a
    /// crash would (``MatroskaRecovery``: cut back to the last whole cluster, which also frees
    /// the bytes of the one that did not fit, then Cues and Duration) and catalogues them
    /// `recovered`, so what was written stays playable and listed now. A segment recovery
    /// refuses stays a `.part` for the next start. Returns how many were kept.
    @discardableResult
    func salvageAll() -> Int {
        let open = [previous, current].compactMap { $0 }
        previous = nil
        current = nil
        var kept = 0
        for segment in open {
            segment.writer.abandon()
            guard let recovered = try? MatroskaRecovery.recover(partPath: segment.writer.partPath) else { continue }
            let seconds = Double(recovered.summary.durationMilliseconds) / 1000
            bytes += Int64(recovered.summary.bytes)
            duration += seconds
            kept += 1
            catalog.segmentClosed(
                RecordedSegment(
                    sequence: segment.sequence, file: segment.file, state: .recovered,
                    start: Double(segment.startWall - (recordingStart ?? segment.startWall)) / 1e9, duration: seconds,
                    bytes: Int64(recovered.summary.bytes), frames: Int64(recovered.summary.frames),
                    sha256: Self.sha256(of: recovered.summary.path), rid: segment.rid),
                in: recording)
        }
        return kept
    }

    private func close(_ segment: Open) throws(MatroskaSegmentWriter.WriteError) {
        let started = ContinuousClock.now
        let summary = try segment.writer.close()
        let took = started.duration(to: .now)
        metrics.noteWrite(
            nanoseconds: Int(took.components.seconds * 1_000_000_000 + took.components.attoseconds / 1_000_000_000))
        metrics.segments.add(1, ordering: .relaxed)
        let start = Double(segment.startWall - (recordingStart ?? segment.startWall)) / 1e9
        guard summary.frames > 0, summary.durationMilliseconds > 0 else {
            // Nothing that plays: a cut's key frame alone as the stream ended (ffprobe gives
            // such a file no duration). The file goes; the row says it is empty, and /media
            // skips it, as it does a `.part` killed in its first cluster.
            unlink(summary.path)
            catalog.segmentClosed(
                RecordedSegment(
                    sequence: segment.sequence, file: segment.file, state: .closed, start: start, duration: 0,
                    bytes: 0, frames: 0, sha256: nil),
                in: recording)
            return
        }
        metrics.bytes.add(summary.bytes, ordering: .relaxed)
        let seconds = Double(summary.durationMilliseconds) / 1000
        bytes += Int64(summary.bytes)
        duration += seconds
        catalog.segmentClosed(
            RecordedSegment(
                sequence: segment.sequence, file: segment.file, state: .closed, start: start, duration: seconds,
                bytes: Int64(summary.bytes), frames: Int64(summary.frames), sha256: Self.sha256(of: summary.path),
                rid: segment.rid),
            in: recording)
    }

    /// The SHA-256 of a closed file, lowercase hex; nil when it cannot be read.
    static func sha256(of path: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path) else { return nil }
        let digest = data.withUnsafeBytes { bytes in try? Digest.hash(.sha256, Array(bytes)) }
        return digest.map { $0.map { String(format: "%02x", $0) }.joined() }
    }
}
