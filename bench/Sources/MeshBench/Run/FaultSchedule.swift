import Foundation
import Glibc

/// The scenario's faults, applied when their time comes: SIGKILL or SIGSTOP/SIGCONT of a
/// node, SIGSTOP/SIGCONT of the local Redis. Each is logged on stderr with its time.
struct FaultSchedule {
    private var pending: [ScheduledFault]
    /// SIGCONTs due: (time, pid).
    private var resumes: [(at: Double, pid: Int32)] = []
    private let mesh: MeshUnderTest
    private let publishers: PublisherGroup

    init(_ faults: [ScheduledFault], mesh: MeshUnderTest, publishers: PublisherGroup) {
        pending = faults.sorted { $0.atSeconds < $1.atSeconds }
        self.mesh = mesh
        self.publishers = publishers
    }

    /// Applies every fault due by `elapsed` seconds, and the resumes due.
    mutating func apply(upTo elapsed: Double) async {
        while let fault = pending.first, fault.atSeconds <= elapsed {
            pending.removeFirst()
            await inject(fault.action, at: elapsed)
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

    private mutating func inject(_ action: FaultAction, at elapsed: Double) async {
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
            await publishers.setDelay(milliseconds: milliseconds)
            note = "publishers' packets now reach the node \(milliseconds) ms later"
        }
        FileHandle.standardError.write(Data("\n[\(String(format: "%.1f", elapsed)) s] fault: \(note)\n".utf8))
    }
}
