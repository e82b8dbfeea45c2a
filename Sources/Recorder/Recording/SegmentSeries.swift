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
final class SegmentSeries {
    /// How long after a cut frames older than it still go to the previous segment.
    static let overlapNanoseconds: Int64 = 300_000_000

    private struct Open {
        let writer: MatroskaSegmentWriter
        let sequence: Int
        let file: String
        let startWall: Int64
        /// The simulcast layer its video holds (`layers: top`), for the catalog.
        let rid: String?
        /// Video tracks that have had their first (key) frame in this segment.
        var started: Set<Int>
        /// The last timestamp (ms) written per track number; -1 before the first, -2 for a
        /// number the segment has no track for (a layer whose size was not known yet).
        var last: [Int64]
    }

    let recording: UUID
    let storage: String
    let catalog: RecordingCatalog
    let metrics: RecorderMetrics
    private var current: Open?
    private var previous: Open?
    private var nextSequence = 0
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
        var last = Array(repeating: Int64(-2), count: (tracks.map(\.number).max() ?? 0) + 1)
        for track in tracks { last[track.number] = -1 }
        current = Open(
            writer: writer, sequence: sequence, file: file, startWall: wall, rid: rid, started: [], last: last)
        catalog.segmentOpened(sequence, file: file, start: start, rid: rid, in: recording)
    }

    /// Writes a frame of Matroska track `number`; false when no segment takes it (dropped).
    @discardableResult
    func write(track number: Int, isVideo: Bool, wall: Int64, isKeyFrame: Bool, frame: UnsafeRawBufferPointer)
        throws(MatroskaSegmentWriter.WriteError) -> Bool
    {
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
        guard segment.last.indices.contains(track), segment.last[track] >= -1 else { return false }
        if isVideo && !segment.started.contains(track) {
            guard key else { return false }
            segment.started.insert(track)
        }
        // Strictly increasing per track: a sender report that re-anchors a track's clock may put
        // a frame at or before the one written last, and two blocks of one track at the same
        // time are a non-monotonic DTS to players (ffmpeg says so).
        let milliseconds = max(max(wall - segment.startWall, 0) / 1_000_000, segment.last[track] + 1)
        segment.last[track] = milliseconds
        try segment.writer.write(track: track, timestamp: milliseconds, isKeyFrame: key, frame: frame)
        return true
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
        metrics.bytes.add(summary.bytes, ordering: .relaxed)
        let seconds = Double(summary.durationMilliseconds) / 1000
        bytes += Int64(summary.bytes)
        duration += seconds
        let start = Double(segment.startWall - (recordingStart ?? segment.startWall)) / 1e9
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
