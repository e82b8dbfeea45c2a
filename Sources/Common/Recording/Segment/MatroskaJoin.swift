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
/// Audio with a CodecDelay (Opus) overlaps at the cuts: a segment starts its audio with the
/// frames before its start (the decoder pre-roll), and ends with any that arrived before the
/// next segment's key frame. Each segment gives such a track only what plays from its own start
/// to the next segment's; a cluster left with no block is not written.
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
                // What delayed (audio) tracks keep, in ms of the segment's own play time: from
                // the segment's start (the first one from its audio's start: the decoder
                // discards the CodecDelay from there, which is that segment's silence and
                // pre-roll) to the next one's.
                let from: Int64 = index == 0 ? .min : 0
                let until =
                    index + 1 < parts.count ? parts[index + 1].startMilliseconds - part.startMilliseconds : Int64.max
                let window = from..<max(from, until)
                // An untyped closure: a typed-throws one here crashes Swift 6.3.1's IRGen.
                try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) throws in
                    try append(bytes, header: index == 0, shift: part.startMilliseconds, window: window, to: &output)
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
        _ bytes: UnsafeRawBufferPointer, header: Bool, shift: Int64, window: Range<Int64>, to output: inout [UInt8]
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
        var delays = [Int64](repeating: 0, count: 127)
        while offset < segmentEnd, let child = reader.header(at: offset) {
            guard let end = reader.end(of: child) else { throw .unsupportedLayout("an element runs past the file") }
            if child.id == MatroskaElementID.tracks {
                delays = MatroskaPartScan.codecDelays(reader: reader, tracks: child, end: end)
            }
            if child.id == MatroskaElementID.cluster {
                if header && !sawCluster {
                    // The header as it is, with the Segment's size "unknown" again (8 bytes).
                    guard segment.sizeWidth == 8 else { throw .unsupportedLayout("Segment size is not 8 bytes") }
                    output += bytes[0..<segment.dataStart - 8]
                    output += [0x01, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF, 0xFF]
                    output += bytes[segment.dataStart..<child.start]
                }
                sawCluster = true
                try appendCluster(reader, child, end: end, shift: shift, delays: delays, window: window, to: &output)
            }
            offset = end
        }
        guard sawCluster else { throw .noCompleteCluster }
    }

    /// One cluster with its Timestamp moved by `shift` ms: written back with an 8-byte size and
    /// an 8-byte Timestamp, so the new value always fits. Blocks of a track with a CodecDelay
    /// (`delays`, ms by track number) that play outside `window` are left out.
    private static func appendCluster(
        _ reader: EBMLElementReader, _ cluster: EBMLElementReader.Header, end: Int, shift: Int64,
        delays: [Int64], window: Range<Int64>, to output: inout [UInt8]
    ) throws(MatroskaRecoveryError) {
        var timestamp: UInt64?
        var rest: [Range<Int>] = []
        var offset = cluster.dataStart
        while offset < end, let child = reader.header(at: offset), let childEnd = reader.end(of: child),
            childEnd <= end
        {
            if child.id == MatroskaElementID.clusterTimestamp {
                timestamp = reader.unsigned(child)
            } else if child.id == MatroskaElementID.simpleBlock, let timestamp,
                let (track, relative) = block(reader.bytes, child.dataStart..<childEnd), delays[track] > 0,
                !window.contains(Int64(clamping: timestamp) + Int64(relative) - delays[track])
            {
                // Audio another segment plays: its pre-roll here, or its start.
            } else {
                rest.append(child.start..<childEnd)
            }
            offset = childEnd
        }
        guard offset == end, let timestamp else { throw .unsupportedLayout("a cluster without its Timestamp") }
        guard rest.contains(where: { reader.header(at: $0.lowerBound)?.id == MatroskaElementID.simpleBlock }) else {
            return
        }
        let moved = UInt64(clamping: Int64(clamping: timestamp) + shift)
        let size = 10 + rest.reduce(0) { $0 + $1.count }  // the Timestamp: ID, size, 8 bytes
        output += [0x1F, 0x43, 0xB6, 0x75, 0x01]
        output += (0..<7).reversed().map { UInt8(truncatingIfNeeded: UInt64(size) >> (8 * UInt64($0))) }
        output += [0xE7, 0x88]
        output += (0..<8).reversed().map { UInt8(truncatingIfNeeded: moved >> (8 * UInt64($0))) }
        for range in rest { output += reader.bytes[range] }
    }

    /// A SimpleBlock's track number (under 127) and relative time (RFC 9559 §10.2); nil when
    /// the bytes are too short for them.
    private static func block(_ bytes: UnsafeRawBufferPointer, _ range: Range<Int>) -> (Int, Int16)? {
        guard let first = range.first.map({ bytes[$0] }), first != 0 else { return nil }
        let width = first.leadingZeroBitCount + 1
        guard range.count >= width + 2 else { return nil }
        var number = UInt64(first) & (UInt64(0xFF) >> UInt64(width))
        for index in 1..<width { number = number << 8 | UInt64(bytes[range.lowerBound + index]) }
        guard number < 127 else { return nil }
        let time = range.lowerBound + width
        return (Int(number), Int16(bitPattern: UInt16(bytes[time]) << 8 | UInt16(bytes[time + 1])))
    }
}
