import Glibc

/// A `.part` segment closed by recovery: what it kept and what it cut.
public struct RecoveredSegment: Equatable, Sendable {
    /// The closed segment.
    public let summary: SegmentSummary
    /// The bytes of the `.part` up to the end of its last complete cluster.
    public let keptBytes: Int
    /// The bytes cut off after it (an open cluster, or garbage).
    public let droppedBytes: Int
}

/// Recovery of a segment a crash left as `.part`: cut it back to its last complete cluster,
/// then close it like a writer would (Cues rebuilt from the clusters kept, Duration from the
/// last block, fsync, rename, directory fsync).
public enum MatroskaRecovery {
    /// Recovers the `.part` file at `partPath`; the result's summary names the final file.
    public static func recover(partPath: String) throws(MatroskaRecoveryError) -> RecoveredSegment {
        do {
            let fd = try POSIXFile.openForWriting(partPath, create: false)
            defer { close(fd) }
            let size = try POSIXFile.size(fd, path: partPath)
            guard size > 0 else { throw MatroskaRecoveryError.notEBML }
            let scan = try scan(fd: fd, size: size, path: partPath)
            try POSIXFile.check("ftruncate", partPath) { ftruncate(fd, off_t(scan.keptBytes)) }
            let closed = try SegmentCloser.close(
                fd: fd, partPath: partPath, layout: scan.layout, end: scan.keptBytes, cues: scan.cues,
                durationMilliseconds: scan.durationMilliseconds)
            let summary = SegmentSummary(
                path: closed.path, bytes: closed.bytes, durationMilliseconds: scan.durationMilliseconds,
                clusters: scan.clusters, frames: scan.frames)
            return RecoveredSegment(summary: summary, keptBytes: scan.keptBytes, droppedBytes: size - scan.keptBytes)
        } catch let error as MatroskaRecoveryError {
            throw error
        } catch let error as RecordingFileError {
            throw .file(error)
        } catch {
            throw .file(RecordingFileError(call: "recover", path: partPath, code: EIO))
        }
    }

    /// Maps the file read-only (no copy of a large segment) and scans it.
    private static func scan(fd: Int32, size: Int, path: String) throws -> MatroskaPartScan {
        guard let mapped = mmap(nil, size, PROT_READ, MAP_PRIVATE, fd, 0), mapped != MAP_FAILED else {
            throw RecordingFileError(call: "mmap", path: path, code: errno)
        }
        defer { munmap(mapped, size) }
        return try MatroskaPartScan(scanning: UnsafeRawBufferPointer(start: mapped, count: size))
    }
}
