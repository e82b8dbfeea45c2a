/// Collects one cluster's frames, then assembles the whole Cluster element (RFC 9559 §5.1.3)
/// in one reusable buffer, blocks sorted by timestamp so audio and video interleave.
///
/// Frames are copied into `staging` as they come; `assemble()` writes the cluster into
/// `output` for a single `write`. Both buffers and the entry list keep their capacity, so
/// after warm-up nothing here allocates.
struct MatroskaCluster {
    /// A staged frame: its track, timestamp (ms), key flag and where its bytes are.
    struct Entry {
        let track: Int
        let timestamp: Int64
        let isKeyFrame: Bool
        let start: Int
        let count: Int
    }

    /// Where a cluster can be entered: the time and track of its cue, if it has one.
    struct Cue: Equatable {
        let time: Int64
        let track: Int
    }

    private var staging: [UInt8] = []
    private var entries: [Entry] = []
    private(set) var output = EBMLBuffer()
    /// The timestamp of the first frame staged (clusters are cut relative to it).
    private(set) var firstTimestamp: Int64 = 0

    init(capacity: Int) {
        staging.reserveCapacity(capacity)
        entries.reserveCapacity(256)
        output = EBMLBuffer(capacity: capacity + 4096)
    }

    /// Whether no frame is staged.
    var isEmpty: Bool { entries.isEmpty }

    /// Stages a frame.
    mutating func add(track: Int, timestamp: Int64, isKeyFrame: Bool, frame: UnsafeRawBufferPointer) {
        if entries.isEmpty { firstTimestamp = timestamp }
        entries.append(
            Entry(track: track, timestamp: timestamp, isKeyFrame: isKeyFrame, start: staging.count, count: frame.count))
        staging.append(contentsOf: frame)
    }

    /// Writes the staged frames as one Cluster into `output` and empties the stage. The cue is
    /// the first video key frame, or for a file without video the first block.
    mutating func assemble(hasVideo: Bool, isVideo: (Int) -> Bool) -> Cue? {
        sortEntries()
        output.reset()
        guard let first = entries.first else { return nil }
        let clusterTime = first.timestamp
        let cluster = output.beginMaster(MatroskaElementID.cluster)
        output.unsigned(MatroskaElementID.clusterTimestamp, UInt64(clusterTime))
        var cue: Cue? = hasVideo ? nil : Cue(time: clusterTime, track: first.track)
        staging.withUnsafeBytes { raw in
            for entry in entries {
                // SimpleBlock (§10.2): track vint, signed 16-bit relative time, flags, frame.
                output.id(MatroskaElementID.simpleBlock)
                output.size(UInt64(entry.count + 4))
                output.size(UInt64(entry.track))
                output.bigEndian(UInt64(UInt16(truncatingIfNeeded: entry.timestamp - clusterTime)), width: 2)
                output.append(entry.isKeyFrame ? 0x80 : 0x00)
                output.append(UnsafeRawBufferPointer(rebasing: raw[entry.start..<(entry.start + entry.count)]))
                if cue == nil && entry.isKeyFrame && isVideo(entry.track) {
                    cue = Cue(time: entry.timestamp, track: entry.track)
                }
            }
        }
        output.endMaster(cluster)
        staging.removeAll(keepingCapacity: true)
        entries.removeAll(keepingCapacity: true)
        return cue
    }

    /// A stable insertion sort: frames arrive nearly in order, and unlike the standard
    /// library's sort it never allocates.
    private mutating func sortEntries() {
        guard entries.count > 1 else { return }
        for index in 1..<entries.count {
            let entry = entries[index]
            var position = index
            while position > 0 && entries[position - 1].timestamp > entry.timestamp {
                entries[position] = entries[position - 1]
                position -= 1
            }
            entries[position] = entry
        }
    }
}

/// The Cues element (RFC 9559 §5.1.5) for a list of cluster cues.
enum MatroskaCues {
    /// A cue and the cluster's position relative to the Segment's data.
    struct Point: Equatable {
        let cue: MatroskaCluster.Cue
        let clusterPosition: UInt64
    }

    /// The Cues element's bytes; an empty list gives no bytes (Cues must not be empty).
    static func bytes(_ points: [Point]) -> [UInt8] {
        guard !points.isEmpty else { return [] }
        typealias ID = MatroskaElementID
        var buffer = EBMLBuffer(capacity: 32 * points.count + 16)
        let cues = buffer.beginMaster(ID.cues)
        for point in points {
            let cuePoint = buffer.beginMaster(ID.cuePoint)
            buffer.unsigned(ID.cueTime, UInt64(point.cue.time))
            let positions = buffer.beginMaster(ID.cueTrackPositions)
            buffer.unsigned(ID.cueTrack, UInt64(point.cue.track))
            buffer.unsigned(ID.cueClusterPosition, point.clusterPosition)
            buffer.endMaster(positions)
            buffer.endMaster(cuePoint)
        }
        buffer.endMaster(cues)
        return buffer.bytes
    }
}

/// The segment's duration as the end of its longest track: each track's last timestamp plus
/// its last frame interval (the length of the last frame is not stored in a SimpleBlock).
struct SegmentDuration {
    private var last: [Int64?]
    private var previous: [Int64?]

    init(trackCount: Int) {
        last = Array(repeating: nil, count: trackCount + 1)
        previous = last
    }

    /// Notes a block of `track` (a number from 1) at `timestamp` ms.
    mutating func note(track: Int, timestamp: Int64) {
        guard track > 0, track < last.count else { return }
        previous[track] = last[track]
        last[track] = timestamp
    }

    /// The last timestamp of any track.
    var lastTimestamp: Int64? { last.compactMap { $0 }.max() }

    /// The duration in ms.
    var milliseconds: Int64 {
        var end: Int64 = 0
        for index in last.indices {
            guard let lastTime = last[index] else { continue }
            let interval = previous[index].map { max(0, min(lastTime - $0, 1000)) } ?? 0
            end = max(end, lastTime + interval)
        }
        return end
    }
}
