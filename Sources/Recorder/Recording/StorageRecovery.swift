import Foundation
import Logging
import MeshCatalog
import MeshRecording

/// What a recorder does with its storage when it starts: every `.part` an earlier run left (a
/// crash, a `kill -9`, a failed disk) is cut back to its last whole cluster and closed
/// (``MatroskaRecovery``), catalogued as `recovered`, and its recording, which nobody will
/// stop now, is ended as failed with the reason. A file recovery refuses is left as it is and
/// logged.
enum StorageRecovery {
    /// What one start found.
    struct Outcome: Equatable {
        var recovered = 0
        var refused = 0
        /// `.part` files with no whole cluster (removed).
        var empty = 0
        var droppedBytes = 0
    }

    /// Scans `storage` (one directory per recording, named by its id).
    static func run(storage: String, catalog: RecordingCatalog, logger: Logger) -> Outcome {
        var outcome = Outcome()
        let files = FileManager.default
        guard let directories = try? files.contentsOfDirectory(atPath: storage) else { return outcome }
        for directory in directories.sorted() {
            guard let id = UUID(uuidString: directory),
                let names = try? files.contentsOfDirectory(atPath: "\(storage)/\(directory)")
            else { continue }
            var end: Double = 0
            var found = false
            for name in names.sorted() where name.hasSuffix(".part") {
                let closedName = String(name.dropLast(".part".count))
                guard case let (sequence, start)? = SegmentName.parse(closedName) else { continue }
                let path = "\(storage)/\(directory)/\(name)"
                do {
                    let recovered = try MatroskaRecovery.recover(partPath: path)
                    let seconds = Double(recovered.summary.durationMilliseconds) / 1000
                    catalog.segmentClosed(
                        RecordedSegment(
                            sequence: sequence, file: "\(directory)/\(closedName)", state: .recovered, start: start,
                            duration: seconds, bytes: Int64(recovered.summary.bytes),
                            frames: Int64(recovered.summary.frames),
                            sha256: SegmentSeries.sha256(of: recovered.summary.path)),
                        in: id)
                    end = max(end, start + seconds)
                    found = true
                    outcome.recovered += 1
                    outcome.droppedBytes += recovered.droppedBytes
                    logger.notice(
                        "recovered \(directory)/\(closedName): kept \(recovered.keptBytes) bytes, dropped \(recovered.droppedBytes)"
                    )
                } catch .noCompleteCluster {
                    // Killed within the segment's first cluster: nothing playable to keep. The
                    // file goes, and the segment is catalogued recovered and empty, not left open.
                    unlink(path)
                    catalog.segmentClosed(
                        RecordedSegment(
                            sequence: sequence, file: "\(directory)/\(closedName)", state: .recovered, start: start),
                        in: id)
                    found = true
                    outcome.empty += 1
                    logger.notice("\(directory)/\(name): no whole cluster in it; removed, catalogued empty")
                } catch {
                    outcome.refused += 1
                    logger.error("could not recover \(path): \(error); left as it is")
                }
            }
            if found {
                let closed = (try? files.contentsOfDirectory(atPath: "\(storage)/\(directory)")) ?? []
                let bytes = closed.filter { SegmentName.parse($0) != nil }.map { name -> Int64 in
                    let attributes = try? files.attributesOfItem(atPath: "\(storage)/\(directory)/\(name)")
                    return (attributes?[.size] as? NSNumber)?.int64Value ?? 0
                }.reduce(0, +)
                catalog.recordingFailed(
                    id, error: "interrupted: the recorder stopped without closing it; its open segments were recovered",
                    bytes: bytes, duration: end)
            }
        }
        return outcome
    }
}

/// Segment file names: `SEQUENCE-STARTMS.webm` (or `.mkv`), where STARTMS is the segment's
/// start in milliseconds from the recording's first frame, so that recovery needs no database.
enum SegmentName {
    /// The sequence and start (seconds) of a closed segment's name; nil for another file.
    static func parse(_ name: String) -> (sequence: Int, start: Double)? {
        guard name.hasSuffix(".webm") || name.hasSuffix(".mkv") else { return nil }
        let stem = name.prefix { $0 != "." }
        let parts = stem.split(separator: "-", omittingEmptySubsequences: false)
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty && $0.utf8.allSatisfy { (0x30...0x39).contains($0) } }),
            let sequence = Int(parts[0]), let milliseconds = Int64(parts[1])
        else { return nil }
        return (sequence, Double(milliseconds) / 1000)
    }
}
