import Glibc

/// Closing a segment, the same for a writer's `close()` and a recovered `.part`: append Cues,
/// patch Duration, the SeekHead's Cues entry and the Segment size, fsync, rename to the final
/// name, fsync the directory. Until the rename the file is still a `.part`, so a crash at any
/// step leaves a file recovery closes again.
enum SegmentCloser {
    static func close(
        fd: Int32, partPath: String, layout: MatroskaLayout, end: Int, cues: [MatroskaCues.Point],
        durationMilliseconds: Int64
    ) throws(RecordingFileError) -> (path: String, bytes: Int) {
        var fileEnd = end
        let cuesBytes = MatroskaCues.bytes(cues)
        try POSIXFile.writeAll(fd, cuesBytes, at: end, path: partPath)
        if let seekHead = layout.seekHead, !cuesBytes.isEmpty {
            var seek = EBMLBuffer(capacity: MatroskaLayout.seekEntrySize)
            MatroskaLayout.writeSeek(
                id: MatroskaElementID.cues, position: UInt64(end - layout.segmentDataStart), into: &seek)
            try patch(fd, seek.bytes, at: seekHead.slotOffset, path: partPath)
            // The SeekHead now reaches to the end of the former Void.
            try patch(
                fd, sizeField(UInt64(seekHead.slotOffset + MatroskaLayout.seekEntrySize - seekHead.sizeOffset - 8)),
                at: seekHead.sizeOffset, path: partPath)
        }
        fileEnd += cuesBytes.count
        var duration = EBMLBuffer(capacity: 8)
        duration.bigEndian(Double(durationMilliseconds).bitPattern, width: 8)
        try patch(fd, duration.bytes, at: layout.durationValueOffset, path: partPath)
        try patch(
            fd, sizeField(UInt64(fileEnd - layout.segmentDataStart)), at: layout.segmentSizeOffset, path: partPath)
        try POSIXFile.check("ftruncate", partPath) { ftruncate(fd, off_t(fileEnd)) }
        try POSIXFile.check("fsync", partPath) { fsync(fd) }
        let finalPath = finalName(of: partPath)
        try POSIXFile.publish(from: partPath, to: finalPath)
        return (finalPath, fileEnd)
    }

    /// `NAME.part` → `NAME`; any other name is kept with `.closed` added, so close never
    /// overwrites its own input.
    static func finalName(of partPath: String) -> String {
        partPath.hasSuffix(".part") ? String(partPath.dropLast(5)) : partPath + ".closed"
    }

    private static func sizeField(_ value: UInt64) -> [UInt8] {
        var buffer = EBMLBuffer(capacity: 8)
        buffer.size(value, width: 8)
        return buffer.bytes
    }

    private static func patch(_ fd: Int32, _ bytes: [UInt8], at offset: Int, path: String) throws(RecordingFileError) {
        try POSIXFile.writeAll(fd, bytes, at: offset, path: path)
    }
}
