import Foundation
import Glibc

/// Ends `meshcast up`'s children when `up` itself ends, however it ends (SIGKILL, a crash, the
/// OOM killer): a pipe only `up` holds the write end of, and per child a small `sh` watcher
/// that reads the other end and sends the child SIGTERM at end-of-file. The kernel closes the
/// write end when `up` dies, so the watchers need no timer and no help from `up`.
///
/// Why not `PR_SET_PDEATHSIG` (`setpriv --pdeathsig`): it fires when the *thread* that spawned
/// the child exits, and `up` spawns from Swift's pooled threads, which come and go; it also
/// misses a parent that died before the child set it. End-of-file on a pipe is neither.
final class ParentLifeline {
    private let readEnd: Int32
    private let writeEnd: Int32
    /// Each watcher by the process id it watches.
    private var watchers: [pid_t: Process] = [:]
    private var released = false

    init() throws(SupervisorError) {
        var ends: [Int32] = [0, 0]
        guard pipe(&ends) == 0 else { throw SupervisorError("cannot create a pipe: errno \(errno)") }
        // Close-on-exec, so that no child holds the write end and keeps the line open; the
        // watchers get the read end as their standard input, which dup2 makes inheritable.
        for end in ends { _ = fcntl(end, F_SETFD, FD_CLOEXEC) }
        readEnd = ends[0]
        writeEnd = ends[1]
    }

    deinit { release() }

    /// Starts the watcher of process `pid`: SIGTERM to it once `up` is gone, and a second one
    /// 0.3 s later so that the node stops without draining (nobody is left to wait for it).
    func watch(_ pid: pid_t) throws {
        let watcher = Process()
        watcher.executableURL = URL(fileURLWithPath: "/bin/sh")
        // `read` returns at end-of-file: nothing is ever written to the pipe.
        watcher.arguments = [
            "-c", "read -r _ignored; kill -TERM \"$1\" 2>/dev/null; sleep 0.3; kill -TERM \"$1\" 2>/dev/null",
            "meshcast-lifeline", String(pid),
        ]
        watcher.standardInput = FileHandle(fileDescriptor: readEnd, closeOnDealloc: false)
        watcher.standardOutput = FileHandle.nullDevice
        watcher.standardError = FileHandle.nullDevice
        try watcher.runWithDefaultSignalMask()
        watchers[pid] = watcher
    }

    /// Retires the watcher of `pid`, which exited before it was any use (a redis-server that
    /// lost the race for its port).
    func unwatch(_ pid: pid_t) {
        guard let watcher = watchers.removeValue(forKey: pid) else { return }
        retire(watcher)
    }

    /// Retires the watchers without letting them fire, once `up` has stopped the children
    /// itself (a watcher woken after its child was reaped could signal a recycled pid).
    func release() {
        guard !released else { return }
        released = true
        for watcher in watchers.values { retire(watcher) }
        watchers = [:]
        close(writeEnd)
        close(readEnd)
    }

    private func retire(_ watcher: Process) {
        if watcher.isRunning { kill(watcher.processIdentifier, SIGKILL) }
        watcher.waitUntilExit()
    }
}
