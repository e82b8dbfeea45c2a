/// Where the fields a segment's close patches lie in its file, as absolute offsets: written
/// by ``MatroskaHeader`` and found again by the recovery scanner in a `.part`.
struct MatroskaLayout: Equatable {
    /// The Segment's 8-byte size field (written "unknown" until close).
    let segmentSizeOffset: Int
    /// Where the Segment's data starts: SeekPosition and CueClusterPosition count from here.
    let segmentDataStart: Int
    /// The Info Duration's 8-byte float value.
    let durationValueOffset: Int
    /// The SeekHead's 8-byte size field and the 21-byte Void after it that the Cues' Seek
    /// entry replaces on close; `nil` when the file has no such slot.
    let seekHead: (sizeOffset: Int, slotOffset: Int)?

    static func == (lhs: Self, rhs: Self) -> Bool {
        lhs.segmentSizeOffset == rhs.segmentSizeOffset && lhs.segmentDataStart == rhs.segmentDataStart
            && lhs.durationValueOffset == rhs.durationValueOffset
            && lhs.seekHead?.sizeOffset == rhs.seekHead?.sizeOffset
            && lhs.seekHead?.slotOffset == rhs.seekHead?.slotOffset
    }

    /// A Seek entry is always 21 bytes here: 4-byte IDs and 8-byte positions.
    static let seekEntrySize = 21

    /// Appends a Seek entry (RFC 9559 §5.1.1.1) of exactly ``seekEntrySize`` bytes.
    static func writeSeek(id: UInt32, position: UInt64, into buffer: inout EBMLBuffer) {
        buffer.id(MatroskaElementID.seek)
        buffer.size(18)
        buffer.id(MatroskaElementID.seekID)
        buffer.size(4)
        buffer.bigEndian(UInt64(id), width: 4)
        buffer.unsignedFixed(MatroskaElementID.seekPosition, position)
    }
}

/// The bytes a segment starts with: EBML header, Segment of unknown size, SeekHead (Info,
/// Tracks, and a Void slot for Cues), Info (1 ms timestamps, Duration 0 until close), Tracks.
enum MatroskaHeader {
    /// The header for `tracks` and its layout (offsets from the start of the file).
    static func make(tracks: [MatroskaTrack]) -> (bytes: [UInt8], layout: MatroskaLayout) {
        typealias ID = MatroskaElementID
        var buffer = EBMLBuffer(capacity: 512)
        let ebml = buffer.beginMaster(ID.ebml)
        buffer.unsigned(ID.ebmlVersion, 1)
        buffer.unsigned(ID.ebmlReadVersion, 1)
        buffer.unsigned(ID.ebmlMaxIDLength, 4)
        buffer.unsigned(ID.ebmlMaxSizeLength, 8)
        buffer.string(ID.docType, tracks.contains { $0.needsMatroska } ? "matroska" : "webm")
        buffer.unsigned(ID.docTypeVersion, 4)
        buffer.unsigned(ID.docTypeReadVersion, 2)
        buffer.endMaster(ebml)

        buffer.id(ID.segment)
        let segmentSizeOffset = buffer.count
        buffer.size(EBMLBuffer.unknownSize, width: 8)
        let dataStart = buffer.count

        let seekHead = buffer.beginMaster(ID.seekHead)
        let infoSeek = buffer.count
        writeSeekPlaceholder(ID.info, into: &buffer)
        let tracksSeek = buffer.count
        writeSeekPlaceholder(ID.tracks, into: &buffer)
        buffer.endMaster(seekHead)
        let slot = buffer.count
        buffer.id(ID.void)
        buffer.size(UInt64(MatroskaLayout.seekEntrySize - 2))
        for _ in 0..<(MatroskaLayout.seekEntrySize - 2) { buffer.append(0) }

        let infoStart = buffer.count
        let info = buffer.beginMaster(ID.info)
        buffer.unsigned(ID.timestampScale, 1_000_000)
        let durationValue = buffer.count + 3  // 2-byte ID, 1-byte size
        buffer.float(ID.duration, 0)
        buffer.string(ID.muxingApp, "meshcast")
        buffer.string(ID.writingApp, "meshcast")
        buffer.endMaster(info)

        let tracksStart = buffer.count
        let trackList = buffer.beginMaster(ID.tracks)
        for track in tracks { track.write(into: &buffer) }
        buffer.endMaster(trackList)

        var bytes = buffer.bytes
        patchSeekPosition(at: infoSeek, UInt64(infoStart - dataStart), in: &bytes)
        patchSeekPosition(at: tracksSeek, UInt64(tracksStart - dataStart), in: &bytes)
        let layout = MatroskaLayout(
            segmentSizeOffset: segmentSizeOffset, segmentDataStart: dataStart,
            durationValueOffset: durationValue, seekHead: (seekHead, slot))
        return (bytes, layout)
    }

    private static func writeSeekPlaceholder(_ id: UInt32, into buffer: inout EBMLBuffer) {
        MatroskaLayout.writeSeek(id: id, position: 0, into: &buffer)
    }

    /// The position is the last 8 bytes of a 21-byte Seek entry.
    private static func patchSeekPosition(at entry: Int, _ position: UInt64, in bytes: inout [UInt8]) {
        let start = entry + MatroskaLayout.seekEntrySize - 8
        for index in 0..<8 { bytes[start + index] = UInt8(truncatingIfNeeded: position >> UInt64(56 - 8 * index)) }
    }
}
