import Foundation
import MeshRuntime

/// What a process under test costs: CPU time, resident memory and sleeps from `/proc`
/// (MeshRuntime's `ProcessUsage`) for local processes, CPU and memory from `/metrics`
/// otherwise; and a process's children with their command lines.
enum ProcessProbe {
    /// One reading.
    struct Reading: Sendable {
        /// utime + stime, microseconds.
        var cpuMicroseconds: Double
        /// Resident set size, bytes.
        var residentBytes: Int
        /// Times its threads went to sleep so far (``ProcessUsage/sleeps(of:)``); `nil` from
        /// `/metrics`, which does not carry it.
        var sleeps: UInt64? = nil
    }

    /// CPU time and RSS of `pid`; `nil` once it is gone.
    static func read(pid: Int32) -> Reading? {
        guard let cpu = ProcessUsage.cpuSeconds(of: pid), let resident = ProcessUsage.residentBytes(of: pid) else {
            return nil
        }
        return Reading(cpuMicroseconds: cpu * 1e6, residentBytes: resident, sleeps: ProcessUsage.sleeps(of: pid))
    }

    /// The same figures from a node's `/metrics` (`process_cpu_seconds_total`,
    /// `process_resident_memory_bytes`): for nodes meshbench did not start.
    static func read(metrics url: HTTPURL) -> Reading? {
        guard let response = try? HTTPClient.request("GET", url, timeoutSeconds: 2), response.status == 200 else {
            return nil
        }
        let text = response.text
        guard let cpu = NodeMetrics.total("process_cpu_seconds_total", in: text),
            let resident = NodeMetrics.total("process_resident_memory_bytes", in: text)
        else { return nil }
        return Reading(cpuMicroseconds: cpu * 1e6, residentBytes: Int(resident))
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
