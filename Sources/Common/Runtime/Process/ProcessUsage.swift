import Foundation

/// What the kernel says a process costs (proc(5)): CPU time from `/proc/PID/stat` and resident
/// memory from `/proc/PID/statm`. For this process (a node's heartbeat and `/metrics`) and for
/// the children a benchmark watches. `nil` when `/proc` cannot be read (not Linux, a hardened
/// container, a process that is gone): callers report nothing rather than a made-up figure.
public enum ProcessUsage {
    /// CPU seconds (user + system) `pid` used so far; this process when `pid` is `nil`.
    public static func cpuSeconds(of pid: Int32? = nil) -> Double? {
        guard let text = try? String(contentsOfFile: path(pid, "stat"), encoding: .utf8) else { return nil }
        let ticksPerSecond = sysconf(Int32(_SC_CLK_TCK))
        guard ticksPerSecond > 0, let ticks = ticks(fromStat: text) else { return nil }
        return Double(ticks) / Double(ticksPerSecond)
    }

    /// Resident set size of `pid` in bytes (`statm` field 2, in pages); this process when `nil`.
    public static func residentBytes(of pid: Int32? = nil) -> Int? {
        guard let text = try? String(contentsOfFile: path(pid, "statm"), encoding: .utf8),
            let pages = text.split(separator: " ").dropFirst().first.flatMap({ Int($0) })
        else { return nil }
        return pages * Int(sysconf(Int32(_SC_PAGESIZE)))
    }

    /// `utime + stime` in clock ticks from a `/proc/[pid]/stat` line (proc(5): fields 14 and
    /// 15). The command name (field 2) is in parentheses and may hold spaces or `)`, so the
    /// fields are counted from the last `)`.
    public static func ticks(fromStat text: String) -> UInt64? {
        guard let close = text.lastIndex(of: ")") else { return nil }
        // After ")": field 3 (state) is the first, so utime (14) is at offset 11, stime at 12.
        let fields = text[text.index(after: close)...].split(separator: " ", omittingEmptySubsequences: true)
        guard fields.count > 12, let user = UInt64(fields[11]), let system = UInt64(fields[12]) else { return nil }
        let (sum, overflow) = user.addingReportingOverflow(system)
        return overflow ? nil : sum
    }

    /// The Prometheus client convention's process figures, for `/metrics`.
    public static func prometheusText() -> String {
        var text = ""
        if let seconds = cpuSeconds() {
            text += "# HELP process_cpu_seconds_total Total user and system CPU time spent in seconds.\n"
            text += "# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total \(seconds)\n"
        }
        if let bytes = residentBytes() {
            text += "# HELP process_resident_memory_bytes Resident memory size in bytes.\n"
            text += "# TYPE process_resident_memory_bytes gauge\nprocess_resident_memory_bytes \(bytes)\n"
        }
        return text
    }

    private static func path(_ pid: Int32?, _ file: String) -> String {
        "/proc/\(pid.map(String.init) ?? "self")/\(file)"
    }
}
