import Foundation
import Glibc

/// The scenario's faults, applied when their time comes: SIGKILL or SIGSTOP/SIGCONT of a
/// node, SIGSTOP/SIGCONT of the local Redis. Each is logged on stderr with its time.
struct FaultSchedule {
    private var pending: [ScheduledFault]
    /// SIGCONTs due: (time, pid).
    private var resumes: [(at: Double, pid: Int32)] = []
    private let mesh: MeshUnderTest

    init(_ faults: [ScheduledFault], mesh: MeshUnderTest) {
        pending = faults.sorted { $0.atSeconds < $1.atSeconds }
        self.mesh = mesh
    }

    /// Applies every fault due by `elapsed` seconds, and the resumes due.
    mutating func apply(upTo elapsed: Double) {
        while let fault = pending.first, fault.atSeconds <= elapsed {
            pending.removeFirst()
            inject(fault.action, at: elapsed)
        }
        while let index = resumes.firstIndex(where: { $0.at <= elapsed }) {
            kill(resumes[index].pid, SIGCONT)
            resumes.remove(at: index)
        }
    }

    /// Resumes whatever is still stopped (the run ended first).
    mutating func undo() {
        for resume in resumes { kill(resume.pid, SIGCONT) }
        resumes = []
    }

    private mutating func inject(_ action: FaultAction, at elapsed: Double) {
        let note: String
        switch action {
        case .kill(let node):
            note =
                mesh.signal(SIGKILL, node: node) ? "killed \(node) (SIGKILL)" : "cannot kill \(node): not started here"
        case .stop(let node, let seconds):
            if let pid = mesh.node(node)?.pid, kill(pid, SIGSTOP) == 0 {
                resumes.append((elapsed + seconds, pid))
                note = "stopped \(node) for \(seconds) s"
            } else {
                note = "cannot stop \(node): not started here"
            }
        case .stopRedis(let seconds):
            if let pid = mesh.redisPID, kill(pid, SIGSTOP) == 0 {
                resumes.append((elapsed + seconds, pid))
                note = "stopped Redis for \(seconds) s"
            } else {
                note = "cannot stop Redis: meshbench did not start it"
            }
        case .dropLink(let from, let to, _):
            note = "drop_link \(from) → \(to) needs a runtime knob the nodes do not have yet: skipped"
        case .delayPublishers(let milliseconds):
            note = "delay_publishers \(milliseconds) ms is applied from the start (publisher option): nothing to do now"
        }
        FileHandle.standardError.write(Data("\n[\(String(format: "%.1f", elapsed)) s] fault: \(note)\n".utf8))
    }
}
