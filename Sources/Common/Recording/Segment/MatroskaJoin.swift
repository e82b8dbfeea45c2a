import Foundation
import Glibc

/// A recording's segments joined into one file, for `GET /v1/recordings/{id}/media`: no
/// decoding and no re-muxing of frames. The first segment's header (EBML header, SeekHead,
/// Info, Tracks) is copied with the Segment's size set back to "unknown"; then every cluster of
/// every segment, in order, with its Timestamp moved by the segment's start in the recording
/// (each segment's times start at 0); then the file is closed the way a crashed `.part` is
/// (``MatroskaRecovery``: Cues and Duration rebuilt from the clusters, fsync, rename). The
/// segments of one recording share their tracks, so one header describes them all.
///
/// The segments are this recorder's own closed files, but they are read as untrusted bytes all
/// the same: every size is checked, and a file that is not laid out as expected is an error.
public enum MatroskaJoin {
    /// One segment to join: its file and its start in the recording (ms).
    public struct Part: Sendable {
        /// The closed segment file.
        public let path: String
        /// Where the segment starts in the recording, in milliseconds.
        public let startMilliseconds: Int64

        /// A part.
        public init(path: String, startMilliseconds: Int64) {
            self.path = path
            self.startMilliseconds = startMilliseconds
        }
    }

    /// Joins `parts` (in order) into a new file at `path`, replacing any file there; returns
    /// what was written. It is written as a `.part` of its own name first, so a reader never
    /// sees half a file, and two joins at once never write into each other.
    public static func join(_ parts: [Part], into path: String) throws(MatroskaRecoveryError) -> SegmentSummary {
        guard let first = parts.first else { throw .noCompleteCluster }
        let temporary = "\(path).\(UUID().uuidString.lowercased()).webm"
        let partPath = temporary + ".part"
        do {
            // Written segment by segment: memory holds one segment, however long the recording.
            let fd = try POSIXFile.check("open", partPath) {
                open(partPath, O_RDWR | O_CLOEXEC | O_CREAT | O_TRUNC, 0o644)
            }
            defer { close(fd) }
            var output = [UInt8]()
            for (index, part) in parts.enumerated() {
                let data: Data
                do {
                    data = try Data(contentsOf: URL(fileURLWithPath: part.path))
                } catch {
                    throw MatroskaRecoveryError.file(RecordingFileError(call: "read", path: part.path, code: EIO))
                }
                output.removeAll(keepingCapacity: true)
                // An untyped closure: a typed-throws one here crashes Swift 6.3.1's IRGen.
                try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                    try append(bytes, header: index == 0, shift: part.startMilliseconds, to: &output)
                }
                try POSIXFile.writeAll(fd, output, path: partPath)
            }
        } catch let error as MatroskaRecoveryError {
            unlink(partPath)
            throw error
        } catch let error as RecordingFileError {
            unlink(partPath)
            throw .file(error)
        } catch {
            unlink(partPath)
            throw .file(RecordingFileError(call: "join", path: first.path, code: EIO))
        }
        let recovered = try MatroskaRecovery.recover(partPath: partPath)
        do {
            try POSIXFile.publish(from: temporary, to: path)
        } catch {
            unlink(temporary)
            throw .file(error)
        }
        let summary = recovered.summary
        return SegmentSummary(
            path: path, bytes: summary.bytes, durationMilliseconds: summary.durationMilliseconds,
            clusters: summary.clusters, frames: summary.frames)
    }

    /// Appends one segment file's clusters (and, for the first, its header) to `output`.
    private static func append(
        _ bytes: UnsafeRawBufferPointer, header: Bool, shift: Int64, to output: inout [UInt8]
    ) throws(MatroskaRecoveryError) {
        let reader = EBMLElementReader(bytes: bytes)
        guard let ebml = reader.header(at: 0), ebml.id == MatroskaElementID.ebml, let ebmlEnd = reader.end(of: ebml)
        else { throw .notEBML }
        guard let segment = reader.header(at: ebmlEnd), segment.id == MatroskaElementID.segment else {
            throw .headerIncomplete("no Segment after the EBML header")
        }
        let segmentEnd = segment.size.map { min(segment.dataStart + Int(clamping: $0), bytes.count) } ?? bytes.count
        var offset = segment.dataStart
        var sawCluster = false
        while offset < segmentEnd, let child = reader.header(at: offset) {
            guard let end = reader.end(of: child) else { throw .unsupportedLayout("an element runs past the file") }
            if child.id == MatroskaElementID.cluster {
                if header && !sawCluster {
                    // The header as it is, with the Segment's size "unknown" again (8 bytes).
                    guard segment.sizeWidth == 8 else { throw .unsupportedLayout("Segment size is not 8 bytes") }
                    output += bytes[0..<segment.dataStart - 8]
                    output += [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
                    output += bytes[segment.dataStart..<child.start]
                }
                sawCluster = true
                try appendCluster(reader, child, end: end, shift: shift, to: &output)
            }
            offset = end
        }
        guard sawCluster else { throw .noCompleteCluster }
    }

    /// One cluster with its Timestamp moved by `shift` ms: written back with an 8-byte size and
    /// an 8-byte Timestamp, so the new value always fits.
    private static func appendCluster(
        _ reader: EBMLElementReader, _ cluster: EBMLElementReader.Header, end: Int, shift: Int64,
        to output: inout [UInt8]
    ) throws(MatroskaRecoveryError) {
        var timestamp: UInt64?
        var rest: [Range<Int>] = []
        var offset = cluster.dataStart
        while offset < end, let child = reader.header(at: offset), let childEnd = reader.end(of: child),
            childEnd <= end
        {
            if child.id == MatroskaElementID.clusterTimestamp {
                timestamp = reader.unsigned(child)
            } else {
                rest.append(child.start..<childEnd)
            }
            offset = childEnd
        }
        guard offset == end, let timestamp else { throw .unsupportedLayout("a cluster without its Timestamp") }
        let moved = UInt64(clamping: Int64(clamping: timestamp) + shift)
        let size = 10 + rest.reduce(0) { $0 + $1.count }  // the Timestamp: ID, size, 8 bytes
        output += [0x1F, 0x43, 0xB6, 0x75, 0x01]
        output += (0..<7).reversed().map { UInt8(truncatingIfNeeded: UInt64(size) >> (8 * UInt64($0))) }
        output += [0xE7, 0x88]
        output += (0..<8).reversed().map { UInt8(truncatingIfNeeded: moved >> (8 * UInt64($0))) }
        for range in rest { output += reader.bytes[range] }
    }
}
