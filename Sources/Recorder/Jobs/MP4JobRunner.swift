import Foundation
import Logging
import MeshCatalog
import Synchronization

/// A recorder's worker for post-processing jobs: it claims the oldest free job of a recording
/// catalogued on this node, or of any node's when the recorders share their storage
/// (`storage.shared`) (``JobQueue``, `FOR UPDATE SKIP LOCKED`), runs ffmpeg on the joined
/// recording (``FFmpegRun``: a child process, `nice -n 19`, one encoder thread, a time limit),
/// writes `recording.mp4` beside the segments and records the result or the error in the
/// catalog. The claim's lease is renewed while ffmpeg runs; a recorder that dies mid-job stops
/// renewing it, and the job is claimed again once it has run out. One job at a time, on its
/// own task: nothing of it runs on a media worker or the recording queue.
final class MP4JobRunner: Sendable {
    /// How often the queue is looked at when it was empty.
    static let idleInterval = Duration.seconds(2)
    /// The lease a claim holds; renewed every third of it.
    static let lease = Duration.seconds(30)

    let nodeID: String
    let storage: String
    /// The storage every recorder shares (`storage.shared`: each writes under `ROOT/<node id>`),
    /// whose jobs of any recorder's recordings this one claims; nil: only this node's.
    let sharedRoot: String?
    let catalog: RecordingCatalog
    let logger: Logger
    /// The catalog's jobs by state, as last read (for `/metrics`).
    let counts = Mutex<[JobQueue.State: Int]>([:])
    /// Jobs this node finished, done and failed.
    let finished = Mutex<(done: Int, failed: Int)>((0, 0))

    init(nodeID: String, storage: String, sharedRoot: String? = nil, catalog: RecordingCatalog, logger: Logger) {
        self.nodeID = nodeID
        self.storage = storage
        self.sharedRoot = sharedRoot
        self.catalog = catalog
        self.logger = logger
    }

    /// Claims and runs jobs until cancelled.
    func run() async {
        while !Task.isCancelled {
            if let read = try? await catalog.jobCounts() { counts.withLock { $0 = read } }
            let claim: JobQueue.Claim?
            do {
                claim = try await catalog.claimJob(
                    worker: nodeID, node: sharedRoot == nil ? nodeID : nil, lease: Self.lease)
            } catch {
                claim = nil
            }
            if let claim {
                await work(claim)
                continue
            }
            try? await Task.sleep(for: Self.idleInterval)
        }
    }

    /// How long ffmpeg may take for a recording of `duration` seconds: three times its length,
    /// at least five minutes (a one-thread H.264 encode runs several times faster than real
    /// time at the sizes WebRTC sends; the limit is for a stuck process, not a slow one).
    static func limit(forDuration duration: Double) -> Duration {
        .seconds(max(300, Int((duration * 3).rounded(.up))))
    }

    private func work(_ claim: JobQueue.Claim) async {
        let id = claim.recording.uuidString.lowercased()
        logger.info("job \(claim.id.uuidString.lowercased()) (\(claim.kind.rawValue)) of recording \(id) started")
        let result = await produce(claim)
        if Task.isCancelled {
            // The recorder is stopping: the job is not failed, its lease runs out and a
            // recorder claims it again.
            logger.notice("job \(claim.id.uuidString.lowercased()) interrupted; claimed again once its lease runs out")
            return
        }
        let output = result.error == nil ? "\(id)/recording.mp4" : nil
        var finishedHere = false
        for _ in 0..<10 {
            do {
                finishedHere = try await catalog.finishJob(claim, output: output, error: result.error)
                break
            } catch {
                // PostgreSQL away: the file is written; try again for a while, then let the
                // lease run out (the next claimer finds the MP4 and finishes at once).
                try? await Task.sleep(for: .seconds(2))
            }
        }
        let outcome =
            result.error.map { "failed: \($0)" } ?? "done: \(output ?? "")" + (result.note.map { " (\($0))" } ?? "")
        if !finishedHere { logger.warning("job \(claim.id.uuidString.lowercased()): its claim was lost; \(outcome)") }
        if result.error == nil {
            logger.info("job \(claim.id.uuidString.lowercased()) of recording \(id) \(outcome)")
            finished.withLock { $0.done += 1 }
        } else {
            logger.warning("job \(claim.id.uuidString.lowercased()) of recording \(id) \(outcome)")
            finished.withLock { $0.failed += 1 }
        }
    }

    /// Makes the MP4; the error is what the catalog keeps for a failed job.
    private func produce(_ claim: JobQueue.Claim) async -> (error: String?, note: String?) {
        let detail: RecordingDetail?
        do {
            detail = try await catalog.detail(claim.recording)
        } catch {
            return ("the catalog is unreachable: \(error)", nil)
        }
        guard let detail else { return ("the recording is gone", nil) }
        guard detail.recording.state != .recording else { return ("the recording is still being written", nil) }
        guard detail.recording.expiredAt == nil else { return ("the recording expired: its files were deleted", nil) }
        let plan = MP4Plan(kind: claim.kind, tracks: detail.tracks)
        // Another recorder's recording (shared storage only) is in that recorder's folder.
        let storage = sharedRoot.map { "\($0)/\(detail.recording.node)" } ?? self.storage
        let directory = RecordingFiles.directory(claim.recording, storage: storage)
        let output = "\(directory)/recording.mp4"
        // A claim that ran out after ffmpeg finished (PostgreSQL away at the end) left the MP4.
        if claim.attempt > 1, FileManager.default.fileExists(atPath: output) { return (nil, plan.note) }
        let input: String
        do {
            input = try RecordingFiles.joined(detail, storage: storage).path
        } catch {
            return (error.description, nil)
        }
        // Each claim writes its own `.part`: an ffmpeg left running by a recorder that died
        // mid-job cannot write into the new claim's file.
        let part = "\(directory)/recording.mp4.\(claim.attempt).part"
        // An earlier claim's `.part` (its recorder was killed; its ffmpeg, an orphan, may still
        // write to it, which an unlinked file lets it do harmlessly).
        for attempt in 1..<claim.attempt {
            try? FileManager.default.removeItem(atPath: "\(directory)/recording.mp4.\(attempt).part")
        }
        let log = "\(directory)/recording.mp4.log"
        let renewing = Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: Self.lease / 3)
                if Task.isCancelled { break }
                if (try? await catalog.renewJob(claim, lease: Self.lease)) == false {
                    logger.warning("job \(claim.id.uuidString.lowercased()): its lease was lost")
                }
            }
        }
        let outcome = await FFmpegRun.run(
            ["-hide_banner", "-nostdin", "-v", "error", "-y", "-i", input] + plan.outputArguments + [part], log: log,
            limit: Self.limit(forDuration: detail.recording.duration))
        renewing.cancel()
        switch outcome {
        case .succeeded:
            guard rename(part, output) == 0 else {
                return ("cannot rename \(part): \(String(cString: strerror(errno)))", plan.note)
            }
            try? FileManager.default.removeItem(atPath: log)
            return (nil, plan.note)
        case .failed(let reason):
            try? FileManager.default.removeItem(atPath: part)
            return (reason, plan.note)
        case .timedOut:
            try? FileManager.default.removeItem(atPath: part)
            return ("ffmpeg ran past its limit and was stopped", plan.note)
        case .cancelled:
            try? FileManager.default.removeItem(atPath: part)
            return ("the recorder stopped during the job", plan.note)
        }
    }

    /// `/metrics` lines: the catalog's jobs by state and the ones this node finished.
    func metricsText() -> String {
        let counts = counts.withLock { $0 }
        let finished = finished.withLock { $0 }
        var lines = [
            "# HELP meshcast_recording_jobs Post-processing (MP4) jobs in the catalog, by state (all recorders).",
            "# TYPE meshcast_recording_jobs gauge",
        ]
        for state in JobQueue.State.allCases {
            lines.append("meshcast_recording_jobs{state=\"\(state.rawValue)\"} \(counts[state] ?? 0)")
        }
        lines += [
            "# HELP meshcast_recording_jobs_finished_total MP4 jobs this recorder finished, by result.",
            "# TYPE meshcast_recording_jobs_finished_total counter",
            "meshcast_recording_jobs_finished_total{result=\"done\"} \(finished.done)",
            "meshcast_recording_jobs_finished_total{result=\"failed\"} \(finished.failed)",
        ]
        return lines.joined(separator: "\n") + "\n"
    }
}
