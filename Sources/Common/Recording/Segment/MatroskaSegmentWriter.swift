import Glibc

/// Writes one recording segment as WebM (VP8, VP9, Opus) or Matroska (when an H.264 track is
/// present) to `NAME.part`, then closes it to `NAME` (see ``SegmentCloser``).
///
/// Frames go in with millisecond timestamps from the segment's start (TimestampScale 1 ms), the
/// time they play. A track with a CodecDelay (Opus) stores its blocks that much later, as
/// RFC 9559 §5.1.4.1.15 and the WebM Opus mapping have it (players subtract it): its frames
/// may start up to the delay before the segment (the decoder pre-roll the delay discards).
/// They are staged into the open cluster; a cluster is written whole, with one `write`, when
/// a video key frame arrives or it spans ``clusterMilliseconds``, so a crash loses at most the
/// open cluster. Within a cluster blocks are sorted by timestamp, interleaving audio and
/// video. Each track's timestamps are kept non-decreasing (a frame older than its track's
/// last is written at the last time). Buffers are reused: after warm-up writing allocates
/// nothing per frame.
public final class MatroskaSegmentWriter {
    /// Why a frame or a close is refused.
    public enum WriteError: Error, Equatable {
        /// The track number is not one of the segment's tracks.
        case unknownTrack(Int)
        /// A timestamp before the segment (or, for a track with a CodecDelay, before the delay),
        /// or one past what a 1 ms Matroska file holds here (2^53 ms).
        case timestampOutOfRange(Int64)
        /// A video track's first frame in a segment must be a key frame (a segment plays alone).
        case firstVideoFrameNotKeyFrame(track: Int)
        /// The segment is closed (or a write failed and left it unusable).
        case closed
        /// The file system refused (disk full, permissions...).
        case file(RecordingFileError)
    }

    /// The `.part` file being written.
    public let partPath: String
    /// The segment's tracks.
    public let tracks: [MatroskaTrack]
    /// A cluster is cut when its frames span this long, even without a key frame.
    public let clusterMilliseconds: Int64

    private var fd: Int32
    private let layout: MatroskaLayout
    private var offset: Int
    private var cluster: MatroskaCluster
    private var cues: [MatroskaCues.Point] = []
    private var duration: SegmentDuration
    private var lastTimestamp: [Int64]
    private var videoTrack: [Bool]
    /// Per track number: the CodecDelay (ms) its blocks are stored late by.
    private var delay: [Int64]
    private let hasVideo: Bool
    private var clusterCount = 0
    private var frameCount = 0

    /// Creates `path + ".part"` (it must not exist) and writes the header.
    public init(path: String, tracks: [MatroskaTrack], clusterMilliseconds: Int64 = 1000) throws(WriteError) {
        precondition(!tracks.isEmpty && tracks.allSatisfy { $0.number > 0 && $0.number < 127 })
        partPath = path + ".part"
        self.tracks = tracks
        self.clusterMilliseconds = clusterMilliseconds
        let maxNumber = tracks.map(\.number).max() ?? 1
        lastTimestamp = Array(repeating: -1, count: maxNumber + 1)
        videoTrack = Array(repeating: false, count: maxNumber + 1)
        delay = Array(repeating: 0, count: maxNumber + 1)
        for track in tracks {
            videoTrack[track.number] = track.isVideo
            delay[track.number] = track.codecDelayMilliseconds
        }
        hasVideo = tracks.contains { $0.isVideo }
        duration = SegmentDuration(trackCount: maxNumber)
        cluster = MatroskaCluster(capacity: 1 << 20)
        cues.reserveCapacity(1024)
        let header = MatroskaHeader.make(tracks: tracks)
        layout = header.layout
        do {
            fd = try POSIXFile.openForWriting(partPath, create: true)
            try POSIXFile.writeAll(fd, header.bytes, path: partPath)
        } catch {
            throw .file(error)
        }
        offset = header.bytes.count
    }

    deinit {
        if fd >= 0 { Glibc.close(fd) }
    }

    /// Adds a frame of track `track` playing at `timestamp` ms from the segment's start (from
    /// minus the track's CodecDelay).
    public func write(
        track: Int, timestamp: Int64, isKeyFrame: Bool, frame: UnsafeRawBufferPointer
    ) throws(WriteError) {
        guard fd >= 0 else { throw .closed }
        guard track > 0, track < videoTrack.count, lastTimestamp.indices.contains(track),
            tracks.contains(where: { $0.number == track })
        else { throw .unknownTrack(track) }
        guard timestamp >= -delay[track], timestamp < 1 << 53 else { throw .timestampOutOfRange(timestamp) }
        guard lastTimestamp[track] >= 0 || isKeyFrame || !videoTrack[track] else {
            throw .firstVideoFrameNotKeyFrame(track: track)
        }
        let time = max(timestamp + delay[track], lastTimestamp[track])
        let startsCluster = isKeyFrame && videoTrack[track]
        if !cluster.isEmpty
            && (startsCluster || time - cluster.firstTimestamp >= clusterMilliseconds
                || cluster.firstTimestamp - time >= clusterMilliseconds)
        {
            try flushCluster()
        }
        lastTimestamp[track] = time
        duration.note(track: track, timestamp: time - delay[track])
        cluster.add(track: track, timestamp: time, isKeyFrame: isKeyFrame || !videoTrack[track], frame: frame)
        frameCount += 1
    }

    /// Writes the open cluster, if any, with one `write`.
    public func flushCluster() throws(WriteError) {
        guard fd >= 0 else { throw .closed }
        guard !cluster.isEmpty else { return }
        let videoTrack = videoTrack
        let cue = cluster.assemble(hasVideo: hasVideo) { videoTrack.indices.contains($0) && videoTrack[$0] }
        let fd = fd
        let partPath = partPath
        do {
            try POSIXFile.writeAll(fd, cluster.output.bytes, path: partPath)
        } catch {
            abandon()
            throw .file(error)
        }
        if let cue {
            cues.append(MatroskaCues.Point(cue: cue, clusterPosition: UInt64(offset - layout.segmentDataStart)))
        }
        offset += cluster.output.count
        clusterCount += 1
    }

    /// Writes the open cluster, closes the segment (Cues, Duration, fsync, rename, directory
    /// fsync) and returns what it holds.
    public func close() throws(WriteError) -> SegmentSummary {
        try flushCluster()
        let fd = fd
        do {
            let closed = try SegmentCloser.close(
                fd: fd, partPath: partPath, layout: layout, end: offset, cues: cues,
                durationMilliseconds: duration.milliseconds)
            abandon()
            return SegmentSummary(
                path: closed.path, bytes: closed.bytes, durationMilliseconds: duration.milliseconds,
                clusters: clusterCount, frames: frameCount)
        } catch {
            abandon()
            throw .file(error)
        }
    }

    /// Closes the descriptor without finishing the file: what is on disk stays a `.part`
    /// that recovery can close later.
    public func abandon() {
        if fd >= 0 { Glibc.close(fd) }
        fd = -1
    }
}
