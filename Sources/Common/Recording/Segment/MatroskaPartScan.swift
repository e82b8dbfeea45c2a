/// A walk over the bytes of a `.part` segment that finds its layout, its tracks and the end of
/// its last complete cluster, and rebuilds the Cues and Duration from the clusters it kept.
///
/// It reads untrusted bytes (a file cut anywhere by a crash, or garbage): every element size
/// is checked against what is there, and anything that is not a whole, well-formed cluster
/// ends the walk. It never traps; a file it cannot use is a ``MatroskaRecoveryError``.
public struct MatroskaPartScan {
    /// The EBML DocType (`webm` or `matroska`).
    public let docType: String
    /// The track numbers and whether each is video.
    public let tracks: [(number: Int, isVideo: Bool)]
    /// Where the last complete cluster ends: what recovery keeps.
    public let keptBytes: Int
    /// The clusters and blocks kept.
    public let clusters: Int
    /// The blocks (frames) in the kept clusters.
    public let frames: Int
    /// The duration of what is kept, in ms (last block plus its track's last interval).
    public let durationMilliseconds: Int64
    let layout: MatroskaLayout
    let cues: [MatroskaCues.Point]

    /// Scans `bytes`, the whole `.part` file.
    public init(scanning bytes: UnsafeRawBufferPointer) throws(MatroskaRecoveryError) {
        typealias ID = MatroskaElementID
        let reader = EBMLElementReader(bytes: bytes)
        guard let ebml = reader.header(at: 0), ebml.id == ID.ebml else {
            let startsLikeEBML = bytes.count >= 4 && bytes.prefix(4).elementsEqual([0x1A, 0x45, 0xDF, 0xA3])
            throw startsLikeEBML ? .headerIncomplete("EBML header") : .notEBML
        }
        guard let ebmlEnd = reader.end(of: ebml) else { throw .headerIncomplete("EBML header") }
        var docType = ""
        var child = ebml.dataStart
        while child < ebmlEnd, let element = reader.header(at: child), let end = reader.end(of: element), end <= ebmlEnd
        {
            if element.id == ID.docType { docType = reader.string(element) ?? "" }
            child = end
        }
        guard docType == "webm" || docType == "matroska" else { throw .notMatroska(docType: docType) }
        self.docType = docType

        guard let segment = reader.header(at: ebmlEnd), segment.id == ID.segment else {
            throw .headerIncomplete("Segment")
        }
        guard segment.sizeWidth == 8 else { throw .unsupportedLayout("Segment size is not 8 bytes wide") }
        let available = bytes.count - segment.dataStart
        let limit = segment.dataStart + (segment.size.map { Int(min(UInt64(available), $0)) } ?? available)

        var seekHead: (sizeOffset: Int, slotOffset: Int)?
        var durationValue: Int?
        var trackList: [(number: Int, isVideo: Bool)]?
        var walker = ClusterWalker(reader: reader, segmentDataStart: segment.dataStart)
        var position = segment.dataStart
        walk: while position < limit, let element = reader.header(at: position) {
            guard let end = reader.end(of: element), end <= limit else { break }
            // This writer puts SeekHead, Info and Tracks before the first cluster; a header
            // element after one is not ours (and would make a cut before it scan differently).
            let isHeader = element.id == ID.seekHead || element.id == ID.info || element.id == ID.tracks
            guard !isHeader || walker.clusters == 0 else { break }
            switch element.id {
            case ID.seekHead:
                seekHead = Self.seekSlot(reader: reader, seekHead: element, end: end)
            case ID.void:
                break
            case ID.info:
                durationValue = Self.durationOffset(reader: reader, info: element, end: end)
            case ID.tracks:
                trackList = Self.tracks(reader: reader, tracks: element, end: end)
                walker.tracks = trackList ?? []
                walker.codecDelays = Self.codecDelays(reader: reader, tracks: element, end: end)
            case ID.cluster:
                guard trackList != nil, durationValue != nil, walker.accept(cluster: element, end: end) else {
                    break walk
                }
            default:
                break walk
            }
            position = end
        }
        guard let durationValue else { throw .headerIncomplete("Info with an 8-byte Duration") }
        guard let trackList, !trackList.isEmpty else { throw .headerIncomplete("Tracks") }
        guard walker.clusters > 0 else { throw .noCompleteCluster }
        tracks = trackList
        keptBytes = walker.end
        clusters = walker.clusters
        frames = walker.frames
        durationMilliseconds = walker.duration.milliseconds
        cues = walker.cues
        layout = MatroskaLayout(
            segmentSizeOffset: segment.dataStart - 8, segmentDataStart: segment.dataStart,
            durationValueOffset: durationValue, seekHead: seekHead)
    }

    /// The SeekHead's size field and the 21-byte slot for the Cues entry: the Void right after
    /// it (a `.part`), or its own last entry when a close got as far as writing it.
    private static func seekSlot(
        reader: EBMLElementReader, seekHead: EBMLElementReader.Header, end: Int
    ) -> (Int, Int)? {
        guard seekHead.sizeWidth == 8 else { return nil }
        let sizeOffset = seekHead.dataStart - 8
        if let next = reader.header(at: end), next.id == MatroskaElementID.void,
            reader.end(of: next) == end + MatroskaLayout.seekEntrySize
        {
            return (sizeOffset, end)
        }
        let last = end - MatroskaLayout.seekEntrySize
        guard last >= seekHead.dataStart, let entry = reader.header(at: last), entry.id == MatroskaElementID.seek,
            reader.end(of: entry) == end, let seekID = reader.header(at: entry.dataStart),
            seekID.id == MatroskaElementID.seekID, reader.unsigned(seekID) == UInt64(MatroskaElementID.cues)
        else { return nil }
        return (sizeOffset, last)
    }

    /// Where Info's Duration value is, when it is the 8-byte float this writer patches.
    private static func durationOffset(reader: EBMLElementReader, info: EBMLElementReader.Header, end: Int) -> Int? {
        var child = info.dataStart
        while child < end, let element = reader.header(at: child), let elementEnd = reader.end(of: element),
            elementEnd <= end
        {
            if element.id == MatroskaElementID.duration && element.size == 8 { return element.dataStart }
            child = elementEnd
        }
        return nil
    }

    /// Each track's CodecDelay in whole ms, by track number (127 entries; 0 where none).
    static func codecDelays(reader: EBMLElementReader, tracks: EBMLElementReader.Header, end: Int) -> [Int64] {
        var delays = [Int64](repeating: 0, count: 127)
        var entryStart = tracks.dataStart
        while entryStart < end, let entry = reader.header(at: entryStart), let entryEnd = reader.end(of: entry),
            entryEnd <= end
        {
            var number: UInt64?
            var delay: UInt64 = 0
            var child = entry.dataStart
            while entry.id == MatroskaElementID.trackEntry, child < entryEnd, let element = reader.header(at: child),
                let elementEnd = reader.end(of: element), elementEnd <= entryEnd
            {
                if element.id == MatroskaElementID.trackNumber { number = reader.unsigned(element) }
                if element.id == MatroskaElementID.codecDelay { delay = reader.unsigned(element) ?? 0 }
                child = elementEnd
            }
            // Capped at a second: a garbage value must not push every time out of range.
            if let number, number > 0, number < 127 {
                delays[Int(number)] = Int64(min(delay, 1_000_000_000) / 1_000_000)
            }
            entryStart = entryEnd
        }
        return delays
    }

    /// Each TrackEntry's number and whether its TrackType is video (1).
    private static func tracks(
        reader: EBMLElementReader, tracks: EBMLElementReader.Header, end: Int
    ) -> [(number: Int, isVideo: Bool)]? {
        var result: [(number: Int, isVideo: Bool)] = []
        var entryStart = tracks.dataStart
        while entryStart < end, let entry = reader.header(at: entryStart), let entryEnd = reader.end(of: entry),
            entryEnd <= end
        {
            if entry.id == MatroskaElementID.trackEntry {
                var number: UInt64?
                var type: UInt64?
                var child = entry.dataStart
                while child < entryEnd, let element = reader.header(at: child),
                    let elementEnd = reader.end(of: element), elementEnd <= entryEnd
                {
                    if element.id == MatroskaElementID.trackNumber { number = reader.unsigned(element) }
                    if element.id == MatroskaElementID.trackType { type = reader.unsigned(element) }
                    child = elementEnd
                }
                guard let number, number > 0, number < 127, let type else { return nil }
                result.append((Int(number), type == 1))
            }
            entryStart = entryEnd
        }
        return result
    }
}
