import Foundation
import Glibc
import Synchronization

/// `meshcast up` (or another long-running `meshcast` command, such as `node`) running in the
/// background as a user would start it, with its output collected as it comes, for tests that
/// act while it runs: kill a node, send it SIGTERM.
final class UpRun {
    struct Timeout: Error, CustomStringConvertible {
        let description: String
    }

    /// What `up` printed so far, appended to from the pipes' reading threads.
    private final class Output: Sendable {
        let text = Mutex((standardOutput: "", standardError: ""))
    }

    private let process: Process
    private let output = Output()

    /// Starts `meshcast up` with `arguments` (after `up`); the topology's secret variables are
    /// left unset so that `up` makes random ones and starts its own redis-server. `command`
    /// runs another subcommand instead; `environment` overrides the test's own variables (a
    /// `nil` value removes one).
    init(_ arguments: [String], command: [String] = ["up"], environment: [String: String?] = [:]) throws {
        process = Process()
        process.executableURL = try MeshcastBinary.location()
        process.arguments = command + arguments
        var variables = ProcessInfo.processInfo.environment
        for (name, value) in environment { variables[name] = value }
        process.environment = variables
        process.currentDirectoryURL = MeshcastBinary.packageRoot
        let standardOutput = Pipe()
        let standardError = Pipe()
        process.standardOutput = standardOutput
        process.standardError = standardError
        standardOutput.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLock { $0.standardOutput += text }
        }
        standardError.fileHandleForReading.readabilityHandler = { [output] handle in
            let text = String(decoding: handle.availableData, as: UTF8.self)
            output.text.withLock { $0.standardError += text }
        }
        try process.run()
    }

    var pid: pid_t { process.processIdentifier }
    var standardOutput: String { output.text.withLock { $0.standardOutput } }
    var standardError: String { output.text.withLock { $0.standardError } }

    /// Waits (bounded) until standard output or error contains `text`.
    func waitFor(_ text: String, seconds: Double) throws {
        let deadline = Date().addingTimeInterval(seconds)
        while Date() < deadline {
            if standardOutput.contains(text) || standardError.contains(text) { return }
            guard process.isRunning else { break }
            usleep(100_000)
        }
        if standardOutput.contains(text) || standardError.contains(text) { return }
        throw Timeout(
            description:
                "no '\(text)' from meshcast up in \(seconds) s\nstdout:\n\(standardOutput)\nstderr:\n\(standardError)")
    }

    /// The number printed after `prefix` in standard output (`started origin-1 (pid ` → its pid).
    func number(after prefix: String) -> Int32? {
        guard let range = standardOutput.range(of: prefix) else { return nil }
        return Int32(standardOutput[range.upperBound...].prefix { $0.isNumber })
    }

    /// Waits (bounded) for `up` to exit and returns its status, or nil if it is still running.
    func exitStatus(within seconds: Double) -> Int32? {
        let deadline = Date().addingTimeInterval(seconds)
        while process.isRunning && Date() < deadline { usleep(100_000) }
        return process.isRunning ? nil : process.terminationStatus
    }

    /// Ends `up` if a failed test left it running.
    func kill() {
        if process.isRunning { Glibc.kill(process.processIdentifier, SIGKILL) }
    }
}

/// Processes as the tests see them: alive or gone, and what a process blocks.
enum ProcessState {
    /// Whether `pid` runs (a zombie nobody reaped yet counts as gone).
    static func isAlive(_ pid: pid_t) -> Bool {
        guard let stat = try? String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8) else { return false }
        // The state follows the command in parentheses: "123 (redis-server) S ...".
        guard let close = stat.lastIndex(of: ")") else { return false }
        let state = stat[stat.index(after: close)...].drop { $0 == " " }.first
        return state != "Z" && state != "X"
    }

    /// Waits (bounded) until `pid` is gone.
    static func isGone(_ pid: pid_t, within seconds: Double) -> Bool {
        let deadline = Date().addingTimeInterval(seconds)
        while isAlive(pid) && Date() < deadline { usleep(100_000) }
        return !isAlive(pid)
    }

    /// Whether `pid`'s main thread blocks `signal` (`SigBlk` in /proc/PID/status).
    static func blocks(_ pid: pid_t, _ signal: Int32) -> Bool? {
        guard let status = try? String(contentsOfFile: "/proc/\(pid)/status", encoding: .utf8),
            let line = status.split(separator: "\n").first(where: { $0.hasPrefix("SigBlk:") }),
            let mask = UInt64(line.dropFirst("SigBlk:".count).filter { !$0.isWhitespace }, radix: 16)
        else { return nil }
        return mask & (1 << UInt64(signal - 1)) != 0
    }

    /// `kill -9` for what a failed test may leave behind.
    static func killIfAlive(_ pid: pid_t?) {
        if let pid, isAlive(pid) { kill(pid, SIGKILL) }
    }
}
