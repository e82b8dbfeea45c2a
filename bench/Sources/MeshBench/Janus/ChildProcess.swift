import Glibc

/// A child process started with `posix_spawn`, its output sent to /dev/null (or a file), stopped
/// by pid and reaped with `waitpid`: no Foundation run loop involved, so stopping works from
/// any thread and any async context.
final class ChildProcess {
    /// Why the child could not be started.
    struct SpawnFailure: Error, CustomStringConvertible {
        let description: String
    }

    let pid: pid_t
    private var exitStatus: Int32?

    /// Starts `executable` with `arguments`; stdin from /dev/null, stdout and stderr to `output`.
    init(_ executable: String, _ arguments: [String], output: String = "/dev/null") throws {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_APPEND, 0o644)
        posix_spawn_file_actions_adddup2(&actions, 1, 2)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for pointer in argv { free(pointer) } }
        var child: pid_t = 0
        let status = posix_spawn(&child, executable, &actions, nil, argv, environ)
        guard status == 0 else { throw SpawnFailure(description: "posix_spawn \(executable): errno \(status)") }
        pid = child
    }

    /// Whether the child still runs (reaps it if it exited).
    var isRunning: Bool {
        guard exitStatus == nil else { return false }
        var status: Int32 = 0
        let result = waitpid(pid, &status, WNOHANG)
        if result == pid || result < 0 {
            exitStatus = status
            return false
        }
        return true
    }

    /// The raw wait status once the child exited.
    var terminationStatus: Int32? { isRunning ? nil : exitStatus }

    /// SIGTERM, then SIGKILL if the child is still running after `graceSeconds`; reaps it.
    func stop(graceSeconds: Int) {
        guard isRunning else { return }
        kill(pid, SIGTERM)
        for _ in 0..<(graceSeconds * 20) where isRunning {
            usleep(50_000)
        }
        guard isRunning else { return }
        kill(pid, SIGKILL)
        var status: Int32 = 0
        waitpid(pid, &status, 0)
        exitStatus = status
    }

    deinit { stop(graceSeconds: 0) }
}
