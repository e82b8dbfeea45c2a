import Foundation
import Glibc

/// What `/proc` says about a local process: CPU time (proc(5) `stat` fields 14 and 15) and
/// resident memory (`statm` field 2, in pages), its children, and their command lines.
enum ProcessProbe {
    /// One reading.
    struct Reading: Sendable {
        /// utime + stime, microseconds.
        var cpuMicroseconds: Double
        /// Resident set size, bytes.
        var residentBytes: Int
    }

    /// CPU time and RSS of `pid`; `nil` once it is gone.
    static func read(pid: Int32) -> Reading? {
        guard let cpu = NodeCPU.microseconds(pid: pid),
            let statm = try? String(contentsOfFile: "/proc/\(pid)/statm", encoding: .utf8),
            let pages = statm.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return Reading(cpuMicroseconds: cpu, residentBytes: pages * Int(sysconf(Int32(_SC_PAGESIZE))))
    }

    /// The direct children of `pid` with their argument vectors.
    static func children(of pid: Int32) -> [(pid: Int32, arguments: [String])] {
        guard let entries = try? FileManager.default.contentsOfDirectory(atPath: "/proc") else { return [] }
        var found: [(Int32, [String])] = []
        for entry in entries {
            guard let child = Int32(entry),
                let stat = try? String(contentsOfFile: "/proc/\(child)/stat", encoding: .utf8),
                let close = stat.lastIndex(of: ")")
            else { continue }
            // After the command name: state, then ppid.
            let fields = stat[stat.index(after: close)...].split(separator: " ")
            guard fields.count > 1, Int32(fields[1]) == pid,
                let raw = FileManager.default.contents(atPath: "/proc/\(child)/cmdline")
            else { continue }
            found.append((child, raw.split(separator: 0).map { String(decoding: $0, as: UTF8.self) }))
        }
        return found
    }
}
