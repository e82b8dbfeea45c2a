import Foundation
import Logging
import MeshCatalog
import MeshCluster

/// Retention: deletes the files of this recorder's recordings whose `policies.record` entry
/// keeps them for less time than has passed since they ended, and marks their rows expired
/// (the row stays: what was recorded, when, how much).
///
/// The catalog picks the candidates (ended, not expired, stopped long enough ago), so a
/// recording still being written is never one; the recordings running here are skipped as
/// well, in case the catalog has not heard of a restart yet. Files go first, then the mark:
/// a sweep cut off between the two finds the recording again and only marks it.
struct RetentionSweeper: Sendable {
    /// How often the recorder sweeps: retention is counted in hours or days, and a sweep is
    /// one indexed query per policy with a retention.
    static let interval = Duration.seconds(5)

    let nodeID: String
    let storage: String
    let catalog: RecordingCatalog
    let logger: Logger

    /// One sweep under `policies`; `running` are the recordings this node is writing. Returns
    /// the recordings expired. PostgreSQL being away skips the sweep (the next one catches up).
    @discardableResult
    func sweep(_ policies: StreamPolicies, running: Set<UUID>) async -> [UUID] {
        var expired: [UUID] = []
        for rule in policies.recordRetention ?? [] {
            let due: [UUID]
            do {
                due = try await catalog.expiredRecordings(
                    node: nodeID, policy: rule.pattern.text, seconds: rule.seconds)
            } catch {
                logger.debug("retention: the catalog cannot be read now: \(error)")
                return expired
            }
            for id in due where !running.contains(id) {
                let name = id.uuidString.lowercased()
                let directory = "\(storage)/\(name)"
                if FileManager.default.fileExists(atPath: directory) {
                    do {
                        try FileManager.default.removeItem(atPath: directory)
                    } catch {
                        logger.error("retention: cannot delete \(directory): \(error)")
                        continue
                    }
                }
                do {
                    try await catalog.markExpired(id)
                } catch {
                    logger.warning(
                        "retention: recording \(name)'s files are deleted; marked at the next sweep: \(error)")
                    continue
                }
                let kept = RecordRetention.text(rule.seconds)
                logger.info("recording \(name) expired (policy '\(rule.pattern.text)' keeps \(kept)): files deleted")
                expired.append(id)
            }
        }
        return expired
    }
}
