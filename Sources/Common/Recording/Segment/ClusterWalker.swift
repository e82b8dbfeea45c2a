/// Checks clusters one by one for ``MatroskaPartScan`` and keeps what a close needs from the
/// whole ones: their end, cues (the same rule as the writer's) and the duration.
struct ClusterWalker {
    let reader: EBMLElementReader
    let segmentDataStart: Int
    var tracks: [(number: Int, isVideo: Bool)] = []
    /// Per track number: its CodecDelay in ms (blocks are stored that late; durations are
    /// of the time they play).
    var codecDelays = [Int64](repeating: 0, count: 127)
    private(set) var end = 0
    private(set) var clusters = 0
    private(set) var frames = 0
    private(set) var cues: [MatroskaCues.Point] = []
    private(set) var duration = SegmentDuration(trackCount: 126)

    init(reader: EBMLElementReader, segmentDataStart: Int) {
        self.reader = reader
        self.segmentDataStart = segmentDataStart
    }

    /// Takes the cluster if every child is a Timestamp, Void or a well-formed SimpleBlock of a
    /// known track after the Timestamp; returns false (taking nothing) otherwise.
    mutating func accept(cluster: EBMLElementReader.Header, end clusterEnd: Int) -> Bool {
        let hasVideo = tracks.contains { $0.isVideo }
        var clusterTime: Int64?
        var cue: MatroskaCluster.Cue?
        var pending = duration
        var blockCount = 0
        var child = cluster.dataStart
        while child < clusterEnd {
            guard let element = reader.header(at: child), let elementEnd = reader.end(of: element),
                elementEnd <= clusterEnd
            else { return false }
            switch element.id {
            case MatroskaElementID.clusterTimestamp:
                guard let value = reader.unsigned(element), value < 1 << 53 else { return false }
                clusterTime = Int64(value)
            case MatroskaElementID.void:
                break
            case MatroskaElementID.simpleBlock:
                guard let clusterTime, let block = block(element, end: elementEnd) else { return false }
                let time = clusterTime + Int64(block.relative)
                guard time >= 0 else { return false }
                pending.note(track: block.track, timestamp: time - codecDelays[block.track])
                let isVideo = tracks.first { $0.number == block.track }?.isVideo ?? false
                if cue == nil && (!hasVideo || (block.isKeyFrame && isVideo)) {
                    cue = MatroskaCluster.Cue(time: time, track: block.track)
                }
                blockCount += 1
            default:
                return false
            }
            child = elementEnd
        }
        guard blockCount > 0 else { return false }
        duration = pending
        if let cue {
            cues.append(MatroskaCues.Point(cue: cue, clusterPosition: UInt64(cluster.start - segmentDataStart)))
        }
        frames += blockCount
        clusters += 1
        end = clusterEnd
        return true
    }

    /// A SimpleBlock's track (a known one), relative time and key flag; `nil` when malformed
    /// or laced (this writer never laces).
    private func block(_ element: EBMLElementReader.Header, end: Int) -> (
        track: Int, relative: Int16, isKeyFrame: Bool
    )? {
        let bytes = reader.bytes
        let start = element.dataStart
        guard start < end else { return nil }
        let first = bytes[start]
        guard first != 0 else { return nil }
        let width = first.leadingZeroBitCount + 1
        guard start + width + 3 <= end else { return nil }
        var number = UInt64(first) & (UInt64(0xFF) >> UInt64(width))
        for index in 1..<width { number = number << 8 | UInt64(bytes[start + index]) }
        guard number < 127, tracks.contains(where: { $0.number == Int(number) }) else { return nil }
        let timeOffset = start + width
        let relative = Int16(bitPattern: UInt16(bytes[timeOffset]) << 8 | UInt16(bytes[timeOffset + 1]))
        let flags = bytes[timeOffset + 2]
        guard flags & 0x06 == 0 else { return nil }
        return (Int(number), relative, flags & 0x80 != 0)
    }
}
