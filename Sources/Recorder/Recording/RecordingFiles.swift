import Foundation
import MeshCatalog
import MeshRecording

/// The files of a stopped recording that more than one caller makes: the whole recording as one
/// Matroska/WebM file (``MatroskaJoin``, for `/media` and as the MP4 job's input), kept as
/// `recording.webm` (`.mkv` with H.264) beside the segments.
enum RecordingFiles {
    /// Why the joined file could not be had.
    enum Problem: Error, CustomStringConvertible {
        /// No segment with frames is catalogued for it, or one names a path out of the storage.
        case noSegments
        /// Joining failed.
        case join(String)

        var description: String {
            switch self {
            case .noSegments: "the recording has no segments here"
            case .join(let reason): "could not join the segments: \(reason)"
            }
        }
    }

    /// The directory of recording `id` under `storage`.
    static func directory(_ id: UUID, storage: String) -> String {
        "\(storage)/\(id.uuidString.lowercased())"
    }

    /// The path of the joined file of `detail`'s recording, made on the first call. The caller
    /// has checked that the recording stopped.
    static func joined(_ detail: RecordingDetail, storage: String) throws(Problem) -> (path: String, isMatroska: Bool) {
        // An empty recovered segment (killed in its first cluster) has no file to join.
        let segments = detail.segments.filter { $0.state != .open && $0.frames > 0 }.sorted {
            $0.sequence < $1.sequence
        }
        guard !segments.isEmpty, segments.allSatisfy({ !$0.file.contains("..") && !$0.file.hasPrefix("/") }) else {
            throw .noSegments
        }
        let isMatroska = segments.contains { $0.file.hasSuffix(".mkv") }
        let path = directory(detail.recording.id, storage: storage) + "/recording" + (isMatroska ? ".mkv" : ".webm")
        if !FileManager.default.fileExists(atPath: path) {
            let parts = segments.map {
                MatroskaJoin.Part(path: "\(storage)/\($0.file)", startMilliseconds: Int64(($0.start * 1000).rounded()))
            }
            do {
                _ = try MatroskaJoin.join(parts, into: path)
            } catch {
                throw .join("\(error)")
            }
        }
        return (path, isMatroska)
    }
}
